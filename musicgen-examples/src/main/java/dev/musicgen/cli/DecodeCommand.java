package dev.musicgen.cli;

import ai.djl.Device;
import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioFiles;
import dev.musicgen.internal.codec.CompressionModel;
import dev.musicgen.internal.codec.Encodec;
import dev.musicgen.internal.codec.TokensFile;
import dev.musicgen.internal.loading.ModelLoader;
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

    @Option(
            names = {"-o", "--output"},
            required = true,
            description = "Output .wav (or .mp3) file; several items in "
                    + "the batch are written as NAME-0.wav, NAME-1.wav, ...")
    Path output;

    @Mixin
    SampleFormatOption sampleFormat;

    @Mixin
    MbdOptions mbd;

    @Option(names = "--noise", description = "Replay recorded diffusion noise (tensors noise.000, noise.001, ...).")
    Path noise;

    @Option(names = "--seed", description = "Seed of the diffusion noise (default 0).", defaultValue = "0")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        boolean float32 = sampleFormat.float32();
        if (noise != null && !mbd.enabled) {
            throw new IllegalArgumentException("--noise is only used with --multi-band-diffusion");
        }
        ModelLoader loader = model.hub.loader();
        Path dir = loader.localPath(model.source());
        Device device = model.device.select();
        try (CompressionModel codec = Encodec.load(dir, device, loader.resolver())) {
            long[][][] codes = TokensFile.read(tokens, codec);
            float[][][] wav = mbd.enabled
                    ? MbdDecoding.decode(codes, codec, mbd.source(), noise, seed, loader, device)
                    : codec.decode(codes);
            for (int b = 0; b < wav.length; b++) {
                Path target = wav.length == 1 ? output : indexed(output, b);
                Audio a = new Audio(wav[b], codec.sampleRate());
                boolean mp3 = target.toString().toLowerCase(Locale.ROOT).endsWith(".mp3");
                sampleFormat.check(target, !mp3);
                AudioFiles.write(
                        target,
                        a,
                        mp3 ? AudioFiles.Format.MP3 : AudioFiles.Format.WAV,
                        float32
                                ? AudioFiles.WriteOptions.DEFAULTS.withWavEncoding(AudioFiles.WavEncoding.FLOAT_32)
                                : AudioFiles.WriteOptions.DEFAULTS);
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
