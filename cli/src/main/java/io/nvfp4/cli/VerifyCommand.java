package io.nvfp4.cli;

import io.nvfp4.io.checkpoint.VerificationReport;
import io.nvfp4.io.checkpoint.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code nvfp4 verify ORIGINAL QUANTIZED}: recomputes every quantized weight's error against the dense
 * original and checks names, shapes, dtypes, copied bytes and configs; exit code 1 on any problem.
 */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        description = {
                "Check a quantized checkpoint against the dense model it came from: every tensor present, quantized with"
                        + " the original shape or byte-identical, nothing extra, configs consistent with the tensors"
                        + " (excluded modules, scheme, group size), and each quantized weight's SQNR above a bound.",
                "Exit code 0 when all is consistent, 1 when anything is not."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ORIGINAL", description = "The dense model (folder or .safetensors file).")
    private Path original;

    @Parameters(index = "1", paramLabel = "QUANTIZED", description = "The quantized checkpoint.")
    private Path quantized;

    @Option(names = "--min-sqnr", paramLabel = "DB", defaultValue = "10",
            description = "Lowest acceptable SQNR of a quantized weight, in dB (default: ${DEFAULT-VALUE};"
                    + " NVFP4 gives about 20 on normal weights, a broken export 0 or less).")
    private double minSqnr;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per processor).")
    private Integer threads;

    @Override
    public Integer call() throws Exception {
        return CommandFailure.run(spec, () -> {
            int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (n < 1) {
                throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + n);
            }
            ProgressReporter progress = new ProgressReporter(spec.commandLine().getErr(), ProgressReporter.onTerminal(),
                    "verifying");
            VerificationReport r;
            try {
                r = Verifier.verify(original, quantized, minSqnr, n, progress);
            } finally {
                progress.finish();
            }
            PrintWriter out = spec.commandLine().getOut();
            TextTable table = new TextTable(new String[] {"quantized weight", "shape", "SQNR dB", "max abs err", "max rel err"},
                    true, true);
            r.weights().stream().sorted(Comparator.comparing(VerificationReport.WeightError::name, Tables.NATURAL))
                    .forEach(w -> table.row(w.name(), Tables.shape(w.shape()), Tables.sqnr(w.error().sqnrDb()),
                            Tables.error(w.error().maxAbsError()), Tables.error(w.error().maxRelError())));
            table.print(out);
            out.println();
            double worst = r.weights().stream().mapToDouble(w -> w.error().sqnrDb()).min().orElse(Double.NaN);
            out.printf(Locale.ROOT, "%s %s: %d quantized weights (lowest SQNR %s dB, bound %.1f dB), %d tensors byte-identical%n",
                    r.layout().cliName(), r.format(), r.weights().size(), Tables.sqnr(worst), minSqnr, r.copied());
            for (String note : r.notes()) {
                out.println("note: " + note);
            }
            for (String problem : r.problems()) {
                out.println("problem: " + problem);
            }
            out.flush();
            if (!r.ok()) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": " + r.problems().size()
                        + (r.problems().size() == 1 ? " problem" : " problems") + " found in " + quantized);
                spec.commandLine().getErr().flush();
                return CommandFailure.EXIT_FAILURE;
            }
            out.println("OK: " + quantized + " is consistent with " + original);
            out.flush();
            return 0;
        });
    }
}
