package dev.musicgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/** What the benchmarks record about the machine and the process: CPU, load average, memory, CPU time; medians. */
final class Machine {
    private Machine() {}

    /** One line: CPU model, cores, JVM, libtorch threads and the load average now. */
    static String describe() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it unknown
        }
        return String.format(
                Locale.ROOT,
                "Machine: %s, %d cores visible to the JVM, %s, libtorch intra-op threads: %s;" + " load average now %s",
                cpu,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("ai.djl.pytorch.num_threads", "default (= cores)"),
                loadavg());
    }

    /** The 1, 5 and 15 minute load averages as {@code "a,b,c"}, or "n/a". */
    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + "," + f[1] + "," + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** The 1-minute load average, or 0 where unknown. */
    static double load1() {
        String l = loadavg();
        return l.equals("n/a") ? 0 : Double.parseDouble(l.split(",")[0]);
    }

    /** A line of /proc/self/status ({@code VmHWM}: peak RSS, {@code VmRSS}) in MB, or null where unknown. */
    static Long statusMb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return null;
    }

    /** Peak RSS of this process in MB, or null where unknown. */
    static Long peakRssMb() {
        return statusMb("VmHWM");
    }

    /** CPU seconds of the whole process, libtorch's native threads included. */
    static double cpuSeconds() {
        return ProcessHandle.current()
                        .info()
                        .totalCpuDuration()
                        .map(Duration::toNanos)
                        .orElse(0L)
                / 1e9;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    /** Milliseconds since {@code startNanos}. */
    static double msSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
