package dev.musicgen.bench;

import picocli.CommandLine;

/** Option checks shared by the picocli benchmark mains. */
final class BenchOptions {
    private BenchOptions() {}

    /** Refuses a {@code --seconds} that is not positive or a {@code --reps} below {@code minReps}, naming both. */
    static void requireSecondsAndReps(Object command, double seconds, int reps, int minReps) {
        if (!(seconds > 0) || reps < minReps) {
            throw new CommandLine.ParameterException(
                    new CommandLine(command),
                    "--seconds must be positive and --reps at least " + minReps + ", but are: " + seconds + ", "
                            + reps);
        }
    }
}
