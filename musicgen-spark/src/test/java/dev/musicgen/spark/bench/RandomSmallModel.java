package dev.musicgen.spark.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.musicgen.bench.RandomEncodecWeights;
import dev.musicgen.internal.codec.EncodecConfig;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes musicgen-small with random weights in the Hugging Face transformers layout ({@code config.json} +
 * {@code model.safetensors}: the LM decoder, T5-base and the 32 kHz EnCodec at their released sizes), for throughput
 * measurements without a download. Matrices are random fp16 (as {@code dev.musicgen.bench.RandomWeights} makes them,
 * small magnitudes so activations stay finite), norms ones and zeros, the codec from {@link RandomEncodecWeights}.
 * The tokenizer is the tiny fixture's (its ids are valid T5-base ids); timing does not depend on the values.
 *
 * <p>{@code java -cp <test classpath> dev.musicgen.spark.bench.RandomSmallModel DIR}
 */
public final class RandomSmallModel {
    static final int LAYERS = 24;
    static final int DIM = 1024;
    static final int HEADS = 16;
    static final int FFN = 4096;
    static final int CODEBOOKS = 4;
    static final int CARD = 2048;
    static final int T5_DIM = 768;
    static final int T5_FF = 3072;
    static final int T5_KV = 64;
    static final int T5_HEADS = 12;
    static final int T5_LAYERS = 12;
    static final int T5_VOCAB = 32128;

    private RandomSmallModel() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "musicgen-small-random");
        write(dir);
        System.out.println("wrote " + dir);
    }

    record Spec(String name, long[] shape, TensorData data, float constant) {
        long bytes() {
            return data != null ? data.byteSize() : numel() * (Float.isNaN(constant) ? 2 : 4);
        }

        long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        String dtype() {
            return data != null ? data.dtype().name() : Float.isNaN(constant) ? "F16" : "F32";
        }
    }

    /** The constant of a random (fp16) matrix. */
    static final float RANDOM = Float.NaN;

    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tiny = Fixtures.path("musicgen_hf", "model");
        JsonObject config = JsonParser.parseString(Files.readString(tiny.resolve("config.json")))
                .getAsJsonObject();
        JsonObject dec = config.getAsJsonObject("decoder");
        dec.addProperty("hidden_size", DIM);
        dec.addProperty("ffn_dim", FFN);
        dec.addProperty("num_attention_heads", HEADS);
        dec.addProperty("num_hidden_layers", LAYERS);
        dec.addProperty("num_codebooks", CODEBOOKS);
        dec.addProperty("vocab_size", CARD);
        dec.addProperty("bos_token_id", CARD);
        dec.addProperty("pad_token_id", CARD);
        JsonObject t5 = config.getAsJsonObject("text_encoder");
        t5.addProperty("_name_or_path", "t5-base");
        t5.addProperty("d_model", T5_DIM);
        t5.addProperty("d_ff", T5_FF);
        t5.addProperty("d_kv", T5_KV);
        t5.addProperty("num_heads", T5_HEADS);
        t5.addProperty("num_layers", T5_LAYERS);
        t5.addProperty("num_decoder_layers", T5_LAYERS);
        t5.addProperty("vocab_size", T5_VOCAB);
        JsonObject enc = config.getAsJsonObject("audio_encoder");
        enc.addProperty("_name_or_path", "facebook/encodec_32khz");
        enc.addProperty("hidden_size", 128);
        enc.addProperty("num_filters", 64);
        enc.addProperty("codebook_dim", 128);
        enc.addProperty("codebook_size", CARD);
        JsonArray bw = new JsonArray();
        bw.add(2.2);
        enc.add("target_bandwidths", bw);
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        Files.writeString(dir.resolve("config.json"), gson.toJson(config));
        JsonObject gen = JsonParser.parseString(Files.readString(tiny.resolve("generation_config.json")))
                .getAsJsonObject();
        for (String k : List.of("bos_token_id", "decoder_start_token_id", "pad_token_id")) {
            gen.addProperty(k, CARD);
        }
        Files.writeString(dir.resolve("generation_config.json"), gson.toJson(gen));
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "spiece.model")) {
            Files.copy(tiny.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }

        List<Spec> specs = new ArrayList<>();
        String d = "decoder.model.decoder.";
        for (int q = 0; q < CODEBOOKS; q++) {
            specs.add(mat(d + "embed_tokens." + q + ".weight", CARD + 1, DIM));
        }
        for (int i = 0; i < LAYERS; i++) {
            String l = d + "layers." + i + ".";
            for (String att : List.of("self_attn", "encoder_attn")) {
                for (String p : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                    specs.add(mat(l + att + "." + p + ".weight", DIM, DIM));
                }
                norm(specs, l + att + "_layer_norm", DIM);
            }
            specs.add(mat(l + "fc1.weight", FFN, DIM));
            specs.add(mat(l + "fc2.weight", DIM, FFN));
            norm(specs, l + "final_layer_norm", DIM);
        }
        norm(specs, d + "layer_norm", DIM);
        for (int q = 0; q < CODEBOOKS; q++) {
            specs.add(mat("decoder.lm_heads." + q + ".weight", CARD, DIM));
        }
        specs.add(mat("enc_to_dec_proj.weight", DIM, T5_DIM));
        specs.add(new Spec("enc_to_dec_proj.bias", new long[] {DIM}, null, 0f));
        String t = "text_encoder.";
        specs.add(mat(t + "shared.weight", T5_VOCAB, T5_DIM));
        for (int i = 0; i < T5_LAYERS; i++) {
            String b = t + "encoder.block." + i + ".layer.";
            for (String w : List.of("q", "k", "v")) {
                specs.add(mat(b + "0.SelfAttention." + w + ".weight", T5_HEADS * T5_KV, T5_DIM));
            }
            specs.add(mat(b + "0.SelfAttention.o.weight", T5_DIM, T5_HEADS * T5_KV));
            if (i == 0) {
                specs.add(mat(b + "0.SelfAttention.relative_attention_bias.weight", 32, T5_HEADS));
            }
            specs.add(new Spec(b + "0.layer_norm.weight", new long[] {T5_DIM}, null, 1f));
            specs.add(mat(b + "1.DenseReluDense.wi.weight", T5_FF, T5_DIM));
            specs.add(mat(b + "1.DenseReluDense.wo.weight", T5_DIM, T5_FF));
            specs.add(new Spec(b + "1.layer_norm.weight", new long[] {T5_DIM}, null, 1f));
        }
        specs.add(new Spec(t + "encoder.final_layer_norm.weight", new long[] {T5_DIM}, null, 1f));
        EncodecConfig codec =
                EncodecConfig.fromHfJson(dev.musicgen.internal.config.JsonConfig.of(enc, "audio_encoder"), CODEBOOKS);
        for (Map.Entry<String, TensorData> e : RandomEncodecWeights.of(codec, 5).entrySet()) {
            specs.add(new Spec("audio_encoder." + e.getKey(), e.getValue().shape(), e.getValue(), 0f));
        }
        writeSafetensors(dir.resolve("model.safetensors"), specs);
    }

    private static Spec mat(String name, long rows, long cols) {
        return new Spec(name, new long[] {rows, cols}, null, RANDOM);
    }

    private static void norm(List<Spec> s, String prefix, long dim) {
        s.add(new Spec(prefix + ".weight", new long[] {dim}, null, 1f));
        s.add(new Spec(prefix + ".bias", new long[] {dim}, null, 0f));
    }

    private static void writeSafetensors(Path file, List<Spec> specs) throws IOException {
        StringBuilder h = new StringBuilder("{");
        long offset = 0;
        for (Spec sp : specs) {
            if (h.length() > 1) {
                h.append(',');
            }
            h.append('"')
                    .append(sp.name())
                    .append("\":{\"dtype\":\"")
                    .append(sp.dtype())
                    .append("\",\"shape\":")
                    .append(Arrays.toString(sp.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(offset + sp.bytes())
                    .append("]}");
            offset += sp.bytes();
        }
        h.append('}');
        while ((h.length() + 8) % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            len.flip();
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(header));
            long seed = 7;
            for (Spec sp : specs) {
                writeFully(ch, bytes(sp, seed++));
            }
        }
    }

    private static ByteBuffer bytes(Spec sp, long seed) {
        if (sp.data() != null) {
            return sp.data().buffer();
        }
        int n = Math.toIntExact(sp.numel());
        if (!Float.isNaN(sp.constant())) {
            ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                b.putFloat(sp.constant());
            }
            return b.flip();
        }
        ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            int r = (int) (x >>> 32);
            int sign = r & 0x8000;
            int exp = 15 - 9 + ((r >>> 16) & 3); // |w| in 2^-9 .. 2^-6, as RandomWeights
            int mant = (r >>> 18) & 0x3ff;
            b.putShort((short) (sign | (exp << 10) | mant));
        }
        return b.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
