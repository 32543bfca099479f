package dev.musicgen.bench;

/**
 * The competing busy process of {@code LmBenchmark --contend}: one thread spinning on one core (integer work the JIT
 * cannot remove), until killed, until its parent is gone, or for at most the minutes given as the first argument
 * (default 120).
 */
public final class BusySpin {
    private BusySpin() {}

    public static void main(String[] args) {
        double minutes = args.length > 0 ? Double.parseDouble(args[0]) : 120;
        long deadline = System.nanoTime() + (long) (minutes * 60e9);
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        long x = 1;
        while (System.nanoTime() < deadline && (parent == null || parent.isAlive())) {
            for (int i = 0; i < 50_000_000; i++) { // ~50 ms between checks
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
        }
        if (x == 42) {
            System.out.println(x); // keeps x alive
        }
    }
}
