package dev.musicgen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code musicgen} command line. Usage errors (bad values, bad input files) exit with 2, runtime failures with 1,
 * always as one line and never a stack trace ({@code -Dmusicgen.debug=true} prints it).
 */
// scope INHERIT: every subcommand takes --help (and --version) too, e.g. "musicgen generate --help"
@Command(
        name = "musicgen",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        version = "musicgen 0.1.0",
        description = "MusicGen for Java: generate music, encode/decode EnCodec tokens, inspect checkpoints.",
        subcommands = {
            GenerateCommand.class,
            EncodeCommand.class,
            DecodeCommand.class,
            DownloadCommand.class,
            InspectCommand.class,
            CommandLine.HelpCommand.class
        })
public final class MusicGenCli {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new MusicGenCli());
        // a bad option: one line and a pointer to the help, not the whole usage text
        cl.setParameterExceptionHandler((ex, rest) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("error: " + message(ex));
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
            cmd.getErr().flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (Boolean.getBoolean("musicgen.debug")) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().println("error: " + message(ex));
            cmd.getErr().flush();
            return exitCode(ex);
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // one line, as for any failure: the input asked for more than this JVM's heap
            System.err.println("error: out of memory (" + message(e) + "); the input needs more than this JVM's heap "
                    + "(raise it with -Xmx)");
            return 1;
        } catch (StackOverflowError e) {
            System.err.println("error: the input is nested too deeply to process");
            return 2;
        }
    }

    /**
     * Usage error (2): an argument that can never work as given (a bad value; a missing, corrupt or unsupported input
     * audio or tokens file), whichever command reads it. Runtime failure (1): everything else (a model that cannot be
     * loaded, network and server faults, disk, native engine, cancellation).
     */
    static int exitCode(Throwable ex) {
        boolean usage = ex instanceof IllegalArgumentException
                || ex instanceof dev.musicgen.audio.AudioFormatException
                || ex instanceof java.nio.file.NoSuchFileException;
        return usage ? 2 : 1;
    }

    /** The message on one line (multi-line YAML/JSON parser messages included), or the type when there is none. */
    static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getClass().getSimpleName();
        }
        return m.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
