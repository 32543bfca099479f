package dev.musicgen.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.musicgen.internal.config.XpConfig;
import dev.musicgen.internal.weights.SafeTensorsFile;
import dev.musicgen.internal.weights.TensorData;
import dev.musicgen.internal.weights.TorchCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code musicgen inspect PATH}: format, config summary and every tensor of a checkpoint file or model directory. */
@Command(
        name = "inspect",
        description = "Print the format, config summary and every tensor (name, dtype, shape) of a "
                + ".bin/.th/.safetensors file or a model directory.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "checkpoint file or model directory")
    Path path;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // names and values come from the file: never let them write terminal escape codes
        PrintWriter out = new PrintWriter(new PrintableWriter(spec.commandLine().getOut()));
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("PATH " + path + " does not exist");
        }
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(path)) {
                files = s.sorted().collect(Collectors.toList());
            }
            out.println("directory " + path);
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (n.endsWith(".json") && n.equals("config.json")) {
                    out.println();
                    printHfConfig(out, f);
                } else if (n.endsWith(".safetensors") || n.endsWith(".bin") || n.endsWith(".th") || n.endsWith(".pt")) {
                    out.println();
                    inspectFile(out, f);
                }
            }
        } else {
            inspectFile(out, path);
        }
        out.flush();
        return 0;
    }

    private static void inspectFile(PrintWriter out, Path f) {
        String n = f.getFileName().toString();
        if (n.endsWith(".safetensors") || SafeTensorsFile.looksLikeSafetensors(f)) {
            try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
                out.println(f + ": safetensors, " + st.tensors().size() + " tensors"
                        + (st.metadata().isEmpty() ? "" : ", metadata " + st.metadata()));
                printTensors(out, st.tensors());
            }
            return;
        }
        try (TorchCheckpoint ck = TorchCheckpoint.open(f)) {
            Object root = ck.root();
            out.println(f + ": torch.save zip archive");
            if (root instanceof Map) {
                Map<?, ?> m = (Map<?, ?>) root;
                out.println("keys: " + m.keySet());
                if (m.get("pretrained") instanceof String) {
                    out.println("pointer to pretrained model: " + m.get("pretrained"));
                }
                if (m.get("xp.cfg") instanceof String) {
                    printXpSummary(out, XpConfig.parse((String) m.get("xp.cfg")));
                }
                if (m.containsKey("n_bands")) {
                    out.println("multiband diffusion: n_bands=" + m.get("n_bands") + " sample_rate="
                            + m.get("sample_rate"));
                }
            }
            printTensors(out, ck.tensors(null));
        }
    }

    private static void printXpSummary(PrintWriter out, XpConfig c) {
        out.println("xp.cfg: solver=" + c.getString("solver", "?") + " sample_rate=" + c.get("sample_rate")
                + " channels=" + c.get("channels"));
        if (c.has("transformer_lm")) {
            out.println("  lm: dim=" + c.get("transformer_lm.dim") + " heads=" + c.get("transformer_lm.num_heads")
                    + " layers=" + c.get("transformer_lm.num_layers") + " n_q=" + c.get("transformer_lm.n_q")
                    + " card=" + c.get("transformer_lm.card") + " delays=" + c.getList("codebooks_pattern.delay.delays")
                    + " max_duration=" + c.get("dataset.segment_duration"));
            out.println("  fuser: cross=" + c.getList("fuser.cross") + " prepend=" + c.getList("fuser.prepend")
                    + " text model=" + c.get("conditioners.description.t5.name"));
        }
        if (c.has("seanet")) {
            out.println("  encodec: n_filters=" + c.get("seanet.n_filters") + " dimension=" + c.get("seanet.dimension")
                    + " ratios=" + c.getList("seanet.ratios") + " n_q=" + c.get("rvq.n_q") + " bins="
                    + c.get("rvq.bins")
                    + " pad_mode=" + c.get("seanet.pad_mode"));
        }
    }

    private static void printHfConfig(PrintWriter out, Path f) {
        try {
            JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            out.println(f + ": HF config, model_type=" + str(o.get("model_type")) + ", architectures="
                    + str(o.get("architectures")));
            for (String sub : new String[] {"decoder", "text_encoder", "audio_encoder"}) {
                if (o.has(sub) && o.get(sub).isJsonObject()) {
                    out.println("  " + sub + ": model_type="
                            + str(o.getAsJsonObject(sub).get("model_type")));
                }
            }
        } catch (IOException | RuntimeException e) {
            out.println(f + ": unreadable config.json (" + e.getMessage() + ")");
        }
    }

    private static String str(JsonElement e) {
        return e == null ? "?" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    private static void printTensors(PrintWriter out, Map<String, TensorData> unsorted) {
        Map<String, TensorData> tensors = new java.util.TreeMap<>(unsorted);
        long total = 0;
        for (TensorData t : tensors.values()) {
            out.printf("  %-70s %-5s %s%n", t.name(), t.dtype(), Arrays.toString(t.shape()));
            total += t.numel();
        }
        out.printf("  %d tensors, %,d parameters%n", tensors.size(), total);
    }
}
