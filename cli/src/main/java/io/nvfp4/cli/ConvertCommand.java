package io.nvfp4.cli;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.ScaleRule;
import io.nvfp4.io.checkpoint.CheckpointLayout;
import io.nvfp4.io.checkpoint.ConversionOptions;
import io.nvfp4.io.checkpoint.ConversionReport;
import io.nvfp4.io.checkpoint.Converter;
import io.nvfp4.io.checkpoint.TensorReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * {@code nvfp4 convert INPUT OUTPUT}: a dense Hugging Face model in, an NVFP4 or MXFP4 checkpoint out,
 * with a per-tensor table and {@code OUTPUT/quantization_report.json}. See {@link Converter}.
 */
@Command(name = "convert",
        mixinStandardHelpOptions = true,
        description = {
                "Convert a dense model (a Hugging Face folder of bf16/f16/f32 safetensors, sharded or not, or one"
                        + " .safetensors file) into an NVFP4 or MXFP4 checkpoint that vLLM, TensorRT-LLM and SGLang load.",
                "Quantizes the 2-D .weight tensors of linear layers whose input size is a multiple of the block size;"
                        + " embeddings, lm_head, norms and MoE routers stay dense unless --include names them. Everything"
                        + " else, and the folder's other files, is copied unchanged. Weight-only (W4A16): no activation scales."})
final class ConvertCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INPUT", description = "Model folder or .safetensors file.")
    private Path input;

    @Parameters(index = "1", paramLabel = "OUTPUT", description = "Output folder: must not exist or be empty (see --force).")
    private Path output;

    @Option(names = "--layout", paramLabel = "LAYOUT",
            description = "modelopt (the default for NVFP4) or compressed-tensors (the only one for MXFP4).")
    private String layout;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "nvfp4",
            description = "nvfp4 or mxfp4 (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--exclude", paramLabel = "REGEX",
            description = "Keep tensors whose name this regex finds dense (repeatable; wins over --include).")
    private List<String> excludes = new ArrayList<>();

    @Option(names = "--include", paramLabel = "REGEX",
            description = "Quantize only tensors whose name one of these finds, default exclusions notwithstanding (repeatable).")
    private List<String> includes = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per processor).")
    private Integer threads;

    @Option(names = "--max-shard-size", paramLabel = "SIZE", defaultValue = "5GB", converter = ByteSize.class,
            description = "Most tensor data per output file, e.g. 5GB, 500MB, 2GiB (default: ${DEFAULT-VALUE}).")
    private long maxShardSize;

    @Option(names = "--fuse-scales",
            description = "NVFP4: give fused siblings (q/k/v, gate/up) one tensor scale, as vLLM fuses them.")
    private boolean fuseScales;

    @Option(names = "--force", description = "Replace the contents of a non-empty OUTPUT folder.")
    private boolean force;

    @Option(names = "--scale-rule", paramLabel = "RULE", defaultValue = "reference",
            description = "NVFP4 block scales: reference (the exporter's bytes), four-over-six or mse"
                    + " (default: ${DEFAULT-VALUE}).")
    private String scaleRule;

    @Option(names = "--rounding", paramLabel = "MODE", defaultValue = "nearest",
            description = "Element rounding: nearest (ties to even) or stochastic (default: ${DEFAULT-VALUE}).")
    private String rounding;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of stochastic rounding (required with it).")
    private Long seed;

    @Override
    public Integer call() throws Exception {
        return CommandFailure.run(spec, () -> {
            ConversionOptions options = options();
            checkOutput();
            PrintWriter out = spec.commandLine().getOut();
            ProgressReporter progress = new ProgressReporter(spec.commandLine().getErr(), ProgressReporter.onTerminal(),
                    "converting");
            ConversionReport report;
            try {
                report = Converter.convert(input, output, options, progress);
            } finally {
                progress.finish();
            }
            print(report, out);
            out.flush();
            return 0;
        });
    }

    /** The options, or a usage error naming the bad one. */
    private ConversionOptions options() {
        BlockFormat f = switch (format.toLowerCase(Locale.ROOT)) {
            case "nvfp4" -> BlockFormat.NVFP4;
            case "mxfp4" -> BlockFormat.MXFP4;
            default -> throw usage("--format must be nvfp4 or mxfp4, got '" + format + "'");
        };
        CheckpointLayout l;
        if (layout == null) {
            l = f == BlockFormat.MXFP4 ? CheckpointLayout.COMPRESSED_TENSORS : CheckpointLayout.MODELOPT;
        } else if (layout.equalsIgnoreCase("modelopt") || layout.equalsIgnoreCase("compressed-tensors")) {
            l = CheckpointLayout.fromName(layout);
        } else {
            throw usage("--layout must be modelopt or compressed-tensors, got '" + layout + "'");
        }
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        ScaleRule rule = switch (scaleRule.toLowerCase(Locale.ROOT)) {
            case "reference" -> ScaleRule.REFERENCE;
            case "four-over-six" -> ScaleRule.FOUR_OVER_SIX;
            case "mse" -> ScaleRule.MSE_SEARCH;
            default -> throw usage("--scale-rule must be reference, four-over-six or mse, got '" + scaleRule + "'");
        };
        boolean stochastic = switch (rounding.toLowerCase(Locale.ROOT)) {
            case "nearest" -> false;
            case "stochastic" -> true;
            default -> throw usage("--rounding must be nearest or stochastic, got '" + rounding + "'");
        };
        if (stochastic && seed == null) {
            throw usage("--rounding stochastic needs --seed N: the seed fixes the bytes");
        }
        if (!stochastic && seed != null) {
            throw usage("--seed applies to --rounding stochastic only");
        }
        try {
            ConversionOptions options = ConversionOptions.defaults().withLayout(l).withFormat(f)
                    .withIncludes(patterns("--include", includes)).withExcludes(patterns("--exclude", excludes))
                    .withThreads(n).withMaxShardSize(maxShardSize).withFuseScales(fuseScales).withOverwrite(force)
                    .withScaleRule(rule);
            return stochastic ? options.withStochasticRounding(seed) : options;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private List<Pattern> patterns(String option, List<String> regexes) {
        List<Pattern> patterns = new ArrayList<>();
        for (String r : regexes) {
            try {
                patterns.add(Pattern.compile(r));
            } catch (PatternSyntaxException e) {
                throw usage(option + " '" + r + "' is not a valid regex: " + e.getDescription());
            }
        }
        return patterns;
    }

    /** OUTPUT must be new or an empty folder unless --force: said as a usage error, with the flag to use. */
    private void checkOutput() throws IOException {
        if (Files.isDirectory(output) && !force) {
            try (Stream<Path> entries = Files.list(output)) {
                if (entries.findAny().isPresent()) {
                    throw usage("OUTPUT " + output + " is not empty; pass --force to replace its contents");
                }
            }
        } else if (Files.exists(output) && !Files.isDirectory(output)) {
            throw usage("OUTPUT " + output + " is a file, not a folder");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The per-tensor table and the summary. */
    private static void print(ConversionReport r, PrintWriter out) {
        TextTable table = new TextTable(new String[] {"tensor", "shape", "format", "SQNR dB", "max abs err", "bytes before",
                "bytes after"}, true, true, true);
        List<TensorReport> byName = r.tensors().stream().sorted(Comparator.comparing(TensorReport::name, Tables.NATURAL)).toList();
        for (TensorReport t : byName) {
            if (t.quantized()) {
                table.row(t.name(), Tables.shape(t.shape()), t.format().name(), Tables.sqnr(t.error().sqnrDb()),
                        Tables.error(t.error().maxAbsError()), Long.toString(t.bytesBefore()), Long.toString(t.bytesAfter()));
            } else {
                table.row(t.name(), Tables.shape(t.shape()), t.dtype() + " (copied)", "-", "-", Long.toString(t.bytesBefore()),
                        Long.toString(t.bytesAfter()));
            }
        }
        table.print(out);
        out.println();
        String fused = r.fuseScales() ? ", fused sibling scales" : "";
        out.printf(Locale.ROOT, "quantized %d of %d tensors to %s (%s %s%s); %d copied unchanged%n", r.quantizedCount(),
                r.tensors().size(), r.format(), r.layout().cliName(), r.scheme(), fused, r.tensors().size() - r.quantizedCount());
        r.tensors().stream().map(TensorReport::recipe).filter(java.util.Objects::nonNull).distinct()
                .forEach(method -> out.println("method: " + method));
        double ratio = r.outputBytes() == 0 ? 0 : (double) r.sourceBytes() / r.outputBytes();
        out.printf(Locale.ROOT, "%s -> %s (%.2fx smaller) in %.1f s: %.0f MB/s of source weights, %d threads, backend %s%n",
                ByteSize.format(r.sourceBytes()), ByteSize.format(r.outputBytes()), ratio, r.seconds(), r.megabytesPerSecond(),
                r.threads(), r.backend());
        out.println("wrote " + r.output() + ": " + String.join(", ", r.files()));
        for (String note : r.notes()) {
            out.println("note: " + note);
        }
    }
}
