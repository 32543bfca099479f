package dev.musicgen.cli;

import dev.musicgen.audio.Audio;
import dev.musicgen.audio.AudioReader;
import dev.musicgen.internal.audio.AudioConversion;
import dev.musicgen.internal.codec.CompressionModel;
import dev.musicgen.internal.codec.Encodec;
import dev.musicgen.internal.codec.TokensFile;
import dev.musicgen.internal.loading.ModelLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code musicgen encode}: audio file → EnCodec tokens (int64 [B,K,T] in a safetensors file). */
@Command(
        name = "encode",
        description = "Encode an audio file into EnCodec tokens (safetensors, tensor 'tokens', "
                + "int64 [B,K,T]). The audio is converted to the codec's rate and channels first.")
final class EncodeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--input-audio", required = true, description = "WAV, MP3 or FLAC file.")
    Path input;

    @Option(
            names = {"-o", "--output"},
            required = true,
            description = "Output .safetensors file.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("--input-audio " + input + " does not exist or is not a file");
        }
        ModelLoader loader = model.hub.loader();
        Path dir = loader.localPath(model.source());
        Audio audio = AudioReader.read(input);
        try (CompressionModel codec = Encodec.load(dir, model.device.select(), loader.resolver())) {
            Audio converted = AudioConversion.convert(audio, codec.sampleRate(), codec.channels());
            long[][][] codes = codec.encode(new float[][][] {converted.samples()});
            TokensFile.write(output, codes);
            spec.commandLine()
                    .getOut()
                    .printf("wrote %s: tokens [1, %d, %d]%n", output, codes[0].length, codes[0][0].length);
        }
        return 0;
    }
}
