package dev.musicgen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code musicgen} command line. Usage errors exit with 2, runtime failures with 1, never a stack trace. */
// scope INHERIT: every subcommand takes --help (and --version) too, e.g. "musicgen generate --help"
@Command(name = "musicgen", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "musicgen 0.1.0",
        description = "MusicGen for Java: generate music, encode/decode EnCodec tokens, inspect checkpoints.",
        subcommands = {GenerateCommand.class, EncodeCommand.class, DecodeCommand.class, DownloadCommand.class,
            InspectCommand.class, CommandLine.HelpCommand.class})
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
            // usage error (2): an argument that can never work (a bad value, a missing or corrupt input file);
            // runtime failure (1): everything else (network, disk, native engine, cancellation)
            boolean usage = ex instanceof IllegalArgumentException;
            cmd.getErr().println("error: " + message(ex));
            cmd.getErr().flush();
            return usage ? 2 : 1;
        });
        return cl.execute(args);
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getClass().getSimpleName();
        }
        return m;
    }
}
