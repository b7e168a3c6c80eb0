package io.nvfp4.benchmarks;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.Backends;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmarks jar's main class: runs the JMH benchmarks of this module (or those selected by a
 * regular expression, as with JMH), then prints the roofline report ({@link RooflineReport}). Every
 * JMH command-line option works ({@code -p}, {@code -f}, {@code -wi}, {@code -rf json}, ...);
 * {@code -h} and the {@code -l*} listings go to JMH itself.
 *
 * <p>Unless {@code -p backend=...} is given, the backends are those found and supported in this JVM
 * (start it with {@code --add-modules jdk.incubator.vector} so that the SIMD backend is), and the
 * scalar reference runs only M = 1, 8 and 32: its GEMM at M = 512 takes minutes a call.
 */
public final class RooflineBench {
    private static final String ALL = "io\\.nvfp4\\.benchmarks\\..*";
    private static final String KERNELS = "io\\.nvfp4\\.benchmarks\\.(Matmul|StreamingGemv|Quantize)Benchmark\\..*";
    private static final String SCALAR = "scalar";

    private RooflineBench() {}

    /** Runs the benchmarks and prints the report; see the class comment. */
    public static void main(String[] args) throws Exception {
        CommandLineOptions cli;
        try {
            cli = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("nvfp4 benchmarks: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()
                || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        List<RunResult> results = new ArrayList<>();
        for (Options run : plan(cli, availableBackends(System.err))) {
            results.addAll(run(run));
        }
        RooflineReport.print(results, System.out);
    }

    /** The JMH runs: everything for the fast backends, then the scalar reference at small M. */
    static List<Options> plan(CommandLineOptions cli, List<String> backends) {
        boolean chosen = cli.getParameter("backend").hasValue();
        boolean includes = !cli.getIncludes().isEmpty();
        if (chosen) {
            return List.of(withIncludes(new OptionsBuilder().parent(cli), includes, ALL).build());
        }
        List<String> fast = backends.stream().filter(b -> !b.equals(SCALAR)).toList();
        List<Options> runs = new ArrayList<>();
        if (!fast.isEmpty()) {
            runs.add(withIncludes(new OptionsBuilder().parent(cli), includes, ALL)
                    .param("backend", fast.toArray(String[]::new)).build());
        }
        if (backends.contains(SCALAR)) {
            ChainedOptionsBuilder scalar = withIncludes(new OptionsBuilder().parent(cli), includes,
                    fast.isEmpty() ? ALL : KERNELS).param("backend", SCALAR);
            if (!fast.isEmpty() && includes) {
                scalar.exclude("Roofline"); // the probes ran with the fast backends already
            }
            if (!cli.getParameter("m").hasValue()) {
                scalar.param("m", "1", "8", "32");
            }
            runs.add(scalar.build());
        }
        return runs;
    }

    private static ChainedOptionsBuilder withIncludes(ChainedOptionsBuilder b, boolean userIncludes, String pattern) {
        return userIncludes ? b : b.include(pattern);
    }

    /** The names of the backends found and supported here; says why any other is left out. */
    static List<String> availableBackends(PrintStream log) {
        List<String> names = new ArrayList<>();
        for (Backend backend : Backends.all()) {
            if (backend.isSupported()) {
                names.add(backend.name());
            } else {
                log.println("nvfp4 benchmarks: backend " + backend.name() + " is not supported in this JVM"
                        + (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()
                        ? " (start it with --add-modules jdk.incubator.vector)" : "") + "; left out");
            }
        }
        if (!names.contains("simd")) {
            log.println("nvfp4 benchmarks: no SIMD backend in this run; benchmarking " + names);
        }
        return names;
    }

    private static List<RunResult> run(Options options) throws RunnerException {
        return new ArrayList<>(new Runner(options).run());
    }
}
