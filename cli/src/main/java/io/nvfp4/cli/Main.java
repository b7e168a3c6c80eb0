package io.nvfp4.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import java.lang.module.ModuleDescriptor;
import java.util.List;

/** The {@code nvfp4} command: entry point and the subcommand list. */
@Command(name = "nvfp4",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "NVFP4 and OCP MX 4-bit block quantization, bit-exact with the reference implementations.",
        subcommands = {FormatsCommand.class, QuantizeDemoCommand.class, BenchCommand.class,
                ConvertCommand.class, InspectCommand.class, VerifyCommand.class, DequantizeCommand.class,
                DemoCommand.class})
public final class Main implements Runnable {
    @Spec
    private CommandSpec spec;

    /** Runs the command line and exits with its status: 0 success, 1 failure, 2 usage error. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line, shared by {@link #main} and the tests: usage errors print one
     * line naming the problem and where help is, then exit with code 2.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setParameterExceptionHandler(Main::usageError);
    }

    /** Without a subcommand there is nothing to do: a usage error like any other. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * Prints {@code nvfp4 <command>: <problem> (see 'nvfp4 <command> --help')} instead of picocli's
     * default message plus the full usage, which buries the one line that matters.
     */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String hint = "";
        if (e instanceof UnmatchedArgumentException u) {
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) {
                hint = "; did you mean " + String.join(" or ", suggestions) + "?";
            }
        }
        cmd.getErr().println(name + ": " + e.getMessage() + hint + " (see '" + name + " --help')");
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The version the build compiled into the module descriptor. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            ModuleDescriptor descriptor = Main.class.getModule().getDescriptor();
            String version = descriptor == null ? "unknown (not run as a module)"
                    : descriptor.rawVersion().orElse("unknown");
            return new String[] {"nvfp4 " + version + ", " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
