package dev.musicgen.cli;

import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import dev.musicgen.internal.codec.CompressionModel;
import dev.musicgen.internal.codec.Encodec;
import dev.musicgen.internal.codec.TokensFile;
import dev.musicgen.internal.hub.HubClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code musicgen decode}: EnCodec tokens → audio, with the EnCodec decoder or MultiBand Diffusion. */
@Command(name = "decode", description = "Decode EnCodec tokens (safetensors tensor 'tokens', int64 [B,K,T]) to audio.")
final class DecodeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--tokens", required = true, description = "Tokens .safetensors file.")
    Path tokens;

    @Option(names = {"-o", "--output"}, required = true, description = "Output .wav (or .mp3) file; several items in "
            + "the batch are written as NAME-0.wav, NAME-1.wav, ...")
    Path output;

    @Option(names = "--sample-format", description = "pcm16 (default) or float32 (raw decoder output, no "
            + "normalization, WAV only).", defaultValue = "pcm16")
    String sampleFormat;

    @Option(names = "--multi-band-diffusion", description = "Decode with MultiBand Diffusion instead of EnCodec.")
    boolean mbd;

    @Option(names = "--mbd-model", description = "Directory or repo id holding mbd_musicgen_32khz.th "
            + "(default facebook/multiband-diffusion).")
    String mbdModel;

    @Option(names = "--noise", description = "Replay recorded diffusion noise (tensors noise.000, noise.001, ...).")
    Path noise;

    @Option(names = "--seed", description = "Seed of the diffusion noise (default 0).", defaultValue = "0")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String fmt = sampleFormat.toLowerCase(Locale.ROOT);
        if (!fmt.equals("pcm16") && !fmt.equals("float32")) {
            throw new IllegalArgumentException("--sample-format must be pcm16 or float32, but is: " + sampleFormat);
        }
        if (noise != null && !mbd) {
            throw new IllegalArgumentException("--noise is only used with --multi-band-diffusion");
        }
        HubClient hub = model.hub();
        Path dir = model.modelDir(hub);
        try (CompressionModel codec = Encodec.load(dir, model.device(), hub.asRepoResolver())) {
            long[][][] codes = TokensFile.read(tokens, codec);
            float[][][] wav = mbd ? MbdDecoding.decode(codes, codec, mbdModel, noise, seed, hub, model.device())
                    : codec.decode(codes);
            for (int b = 0; b < wav.length; b++) {
                Path target = wav.length == 1 ? output : indexed(output, b);
                Audio a = new Audio(wav[b], codec.sampleRate());
                boolean mp3 = target.toString().toLowerCase(Locale.ROOT).endsWith(".mp3");
                if (fmt.equals("float32")) {
                    if (mp3) {
                        throw new IllegalArgumentException("--sample-format float32 needs a .wav output, but is: "
                                + target);
                    }
                    AudioFiles.write(target, a, AudioFiles.Format.WAV,
                            AudioFiles.WriteOptions.DEFAULTS.withWavEncoding(AudioFiles.WavEncoding.FLOAT_32));
                } else {
                    AudioFiles.write(target, a, mp3 ? AudioFiles.Format.MP3 : AudioFiles.Format.WAV,
                            AudioFiles.WriteOptions.DEFAULTS);
                }
                spec.commandLine().getOut().printf("wrote %s (%.2f s)%n", target, a.durationSeconds());
            }
        }
        return 0;
    }

    private static Path indexed(Path p, int i) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String name = dot > 0 ? n.substring(0, dot) + "-" + i + n.substring(dot) : n + "-" + i;
        return p.resolveSibling(name);
    }
}
