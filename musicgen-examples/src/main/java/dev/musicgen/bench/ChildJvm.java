package dev.musicgen.bench;

import dev.musicgen.bench.Figures.Figure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fresh JVMs on this JVM's class path: a benchmark phase (so peak RSS and JIT state belong to that measurement alone),
 * which writes its figures as JSON to a file read back here, and the busy process of {@code --contend}.
 */
final class ChildJvm {
    private ChildJvm() {}

    /** The java command, heap and direct-memory limits, and this JVM's {@code -Dai.djl.*}/{@code -Dorg.slf4j.*}. */
    static List<String> command(List<String> jvmOptions, Class<?> main, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx3g");
        cmd.add("-XX:MaxDirectMemorySize=64g");
        cmd.add("-Dai.djl.offline=true");
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Dai.djl.") || arg.startsWith("-Dorg.slf4j.")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Runs {@code main} with {@code args} plus {@code --result-file}, echoing its output indented (without libtorch's
     * start-up noise), and returns the figures it wrote; if it fails, a {@link Figures.Failure} for {@code phase}.
     */
    static List<Figure> runPhase(
            List<String> jvmOptions,
            Class<?> main,
            List<String> args,
            String model,
            String compute,
            String phase,
            PrintStream out)
            throws IOException, InterruptedException {
        Path results = Files.createTempFile("musicgen-bench-", ".json");
        try {
            List<String> all = new ArrayList<>(args);
            all.add("--result-file");
            all.add(results.toString());
            Process p = new ProcessBuilder(command(jvmOptions, main, all))
                    .redirectErrorStream(true)
                    .start();
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains("CudaUtils") || line.contains("AutoNonVariableTypeMode")) {
                        continue; // libtorch/DJL start-up noise on a CPU-only machine
                    }
                    out.println("  " + line);
                }
            }
            int rc = p.waitFor();
            if (rc != 0) {
                out.println("  (child exited with " + rc + ")");
                return List.of(new Figures.Failure(model, compute, phase, "child JVM exited with " + rc));
            }
            return BenchJson.read(results);
        } finally {
            Files.deleteIfExists(results);
        }
    }

    /**
     * Starts {@link BusySpin} in a fresh JVM: one thread spinning on one core until {@link Process#destroy} (or for
     * at most {@code maxMinutes}, should this JVM die first).
     */
    static Process startBusy(double maxMinutes) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx64m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BusySpin.class.getName());
        cmd.add(Double.toString(maxMinutes));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Stops a process from {@link #startBusy} and waits for it. */
    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }
}
