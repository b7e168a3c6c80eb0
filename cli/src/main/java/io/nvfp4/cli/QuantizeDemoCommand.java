package io.nvfp4.cli;

import io.nvfp4.examples.minilm.BertWeights;
import io.nvfp4.examples.minilm.MiniLm;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.metrics.ErrorStats;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.MxScaleRule;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code nvfp4 quantize-demo}: quantizes a seeded standard-normal matrix (or, with {@code --minilm}, the
 * real weights of the demo's model) with every NVFP4 recipe and with OCP MXFP4, and prints the error
 * and the time of each. Needs no files and no downloads.
 */
@Command(name = "quantize-demo",
        mixinStandardHelpOptions = true,
        description = "Quantize a seeded random matrix with every NVFP4 recipe and with MXFP4; print the error"
                + " (SQNR, MSE, MSE relative to NVFP4 MODELOPT, max abs), the tensor scale and the time of each."
                + " --all-rules adds the NVFP4 scale rules, every MXFP4 scale mode and MXFP8.")
final class QuantizeDemoCommand implements Callable<Integer> {
    private static final String ROW = "%-31s %8s %11s %8s %12s %13s %12s%n";
    /** Heap bytes per element: the input and its dequantized copy as fp32, plus codes and scales. */
    private static final double HEAP_BYTES_PER_ELEMENT = 4 + 4 + 1;

    @Spec
    private CommandSpec spec;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "4096", description = "Rows (default: ${DEFAULT-VALUE}).")
    private int rows;

    @Option(names = "--cols", paramLabel = "K", defaultValue = "4096",
            description = "Columns, along which blocks run; need not be a block multiple (default: ${DEFAULT-VALUE}).")
    private int cols;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--distribution", paramLabel = "D", defaultValue = "normal",
            converter = DistributionConverter.class,
            description = "normal, laplace, student-t3, uniform or outliers (default: ${DEFAULT-VALUE}).")
    private SyntheticWeights distribution;

    @Option(names = "--all-rules", description = "Also NVFP4 with Four Over Six and MSE search, MXFP4 with every"
            + " scale mode, MXFP8 E4M3 and E5M2.")
    private boolean allRules;

    @Option(names = "--minilm", description = "Quantize the 36 linear-layer weights of all-MiniLM-L6-v2 (the demo's"
            + " model, from the class path), each with its own tensor scale, instead of a random matrix; the error is"
            + " over all of them.")
    private boolean minilm;

    /** One line of the comparison: a label and the quantizer it stands for. */
    private record Variant(String label, Quantizer quantizer) {}

    @Override
    public Integer call() throws Exception {
        return CommandFailure.run(spec, () -> {
            demo();
            return 0;
        });
    }

    private void demo() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<FloatMatrix> matrices = new ArrayList<>();
        if (minilm) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--rows")
                    || spec.commandLine().getParseResult().hasMatchedOption("--cols")
                    || spec.commandLine().getParseResult().hasMatchedOption("--distribution")
                    || spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
                throw new ParameterException(spec.commandLine(), "--minilm quantizes the model's own weights: it takes"
                        + " no --rows, --cols, --distribution or --seed");
            }
            BertWeights weights = MiniLm.load().weights();
            for (BertWeights.Dense d : weights.linears()) {
                matrices.add(FloatMatrix.of(d.weight(), d.out(), d.in()));
            }
            out.printf(Locale.ROOT, "quantize-demo: the %d linear-layer weights of all-MiniLM-L6-v2 (%,d fp32 values);"
                            + " JDK %s, %d available processors%n", matrices.size(),
                    matrices.stream().mapToLong(m -> m.rows() * m.columns()).sum(), System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors());
        } else {
            checkShape();
            matrices.add(FloatMatrix.of(distribution.generate(rows * cols, seed), rows, cols));
            out.printf(Locale.ROOT, "quantize-demo: %d x %d fp32 %s, seed %d; JDK %s, %d available processors%n",
                    rows, cols, distribution.cliName(), seed, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors());
        }
        out.println("quantize ms: wall clock of Quantizer.quantize after warm-up (an untimed call on the same data)");
        out.println();
        float[] input = concatenated(matrices);

        out.printf(Locale.ROOT, ROW, "format / recipe", "SQNR dB", "MSE", "MSE/ref", "max abs err", "tensor scale",
                "quantize ms");
        double referenceMse = Double.NaN;
        for (Variant v : variants(allRules)) {
            matrices.forEach(m -> v.quantizer().quantize(m)); // warm-up on the same data: JIT, pool threads
            List<QuantizedMatrix> quantized = new ArrayList<>();
            long start = System.nanoTime();
            for (FloatMatrix m : matrices) {
                quantized.add(v.quantizer().quantize(m));
            }
            double millis = (System.nanoTime() - start) / 1e6;
            List<FloatMatrix> dequantized = quantized.stream()
                    .map(q -> FloatMatrix.of(Dequantizer.dequantize(q), q.rows(), q.columns())).toList();
            ErrorStats error = ErrorStats.compare(input, concatenated(dequantized));
            if (Double.isNaN(referenceMse)) {
                referenceMse = error.mse(); // the first variant, NVFP4 MODELOPT, is the reference
            }
            QuantizedMatrix q = quantized.getFirst();
            boolean oneScale = quantized.stream().allMatch(m -> m.tensorScale() == q.tensorScale());
            String tensorScale = !q.format().hasTensorScale() ? "-"
                    : oneScale ? String.format(Locale.ROOT, "%.6g", q.tensorScale()) : "per tensor";
            out.printf(Locale.ROOT, ROW, v.label(), String.format(Locale.ROOT, "%.3f", error.sqnrDb()),
                    String.format(Locale.ROOT, "%.4e", error.mse()),
                    String.format(Locale.ROOT, "%.3f", error.mse() / referenceMse),
                    String.format(Locale.ROOT, "%.6f", error.maxAbsError()), tensorScale,
                    String.format(Locale.ROOT, "%.1f", millis));
        }
        out.println();
        out.println("tensor scale as each recipe stores it: amax/2688 (dequantize multiplies) for MODELOPT and TORCHAO,");
        out.println("2688/amax (dequantize divides) for COMPRESSED_TENSORS*, 1 for GGML (none), amax/1536 for four-over-six;"
                + " MX formats have none.");
        out.flush();
    }

    /** The matrices' values one after the other. */
    private static float[] concatenated(List<FloatMatrix> matrices) {
        long total = matrices.stream().mapToLong(m -> m.rows() * m.columns()).sum();
        float[] all = new float[Math.toIntExact(total)];
        int at = 0;
        for (FloatMatrix m : matrices) {
            int columns = Math.toIntExact(m.columns());
            float[] row = new float[columns];
            for (long r = 0; r < m.rows(); r++) {
                m.readRow(r, 0, row, columns);
                System.arraycopy(row, 0, all, at, columns);
                at += columns;
            }
        }
        return all;
    }

    /** Every NVFP4 recipe (MODELOPT first: the reference of the MSE/ref column), then OCP MXFP4; more with {@code all}. */
    private static List<Variant> variants(boolean all) {
        List<Variant> variants = new ArrayList<>();
        for (Nvfp4Recipe recipe : Nvfp4Recipe.values()) {
            variants.add(new Variant("NVFP4 " + recipe.name(), Quantizer.nvfp4(recipe)));
        }
        if (all) {
            variants.add(new Variant("NVFP4 MODELOPT four-over-six",
                    Quantizer.nvfp4().withScaleRule(ScaleRule.FOUR_OVER_SIX)));
            variants.add(new Variant("NVFP4 MODELOPT mse-search", Quantizer.nvfp4().withScaleRule(ScaleRule.MSE_SEARCH)));
        }
        variants.add(new Variant("MXFP4 OCP", Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP)));
        if (all) {
            for (MxScaleRule rule : List.of(MxScaleRule.CEIL, MxScaleRule.EVEN, MxScaleRule.RCEIL)) {
                variants.add(new Variant("MXFP4 " + rule, Quantizer.mx(BlockFormat.MXFP4, MxRecipe.of(rule))));
            }
            variants.add(new Variant("MXFP8_E4M3 OCP", Quantizer.mx(BlockFormat.MXFP8_E4M3)));
            variants.add(new Variant("MXFP8_E5M2 OCP", Quantizer.mx(BlockFormat.MXFP8_E5M2)));
        }
        return variants;
    }

    /** Parses the {@code --distribution} names. */
    static final class DistributionConverter implements picocli.CommandLine.ITypeConverter<SyntheticWeights> {
        @Override
        public SyntheticWeights convert(String value) {
            for (SyntheticWeights d : SyntheticWeights.values()) {
                if (d.cliName().equals(value)) {
                    return d;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not one of normal, laplace,"
                    + " student-t3, uniform, outliers");
        }
    }

    /** Rejects shapes that cannot be held: a usage error (exit 2), not an OutOfMemoryError later. */
    private void checkShape() {
        if (rows < 1 || cols < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--rows and --cols must be positive, got " + rows + " x " + cols);
        }
        long elements = (long) rows * cols;
        if (elements > Integer.MAX_VALUE - 8) {
            throw new ParameterException(spec.commandLine(), rows + " x " + cols + " = " + elements
                    + " elements; the demo holds them in one Java array, at most " + (Integer.MAX_VALUE - 8));
        }
        long needMiB = (long) (elements * HEAP_BYTES_PER_ELEMENT) >> 20;
        long haveMiB = Runtime.getRuntime().maxMemory() >> 20;
        if (needMiB > haveMiB) {
            throw new ParameterException(spec.commandLine(), rows + " x " + cols + " needs about " + needMiB
                    + " MiB of heap, this JVM has " + haveMiB + " MiB; raise -Xmx (NVFP4_JAVA_OPTS for ./nvfp4)");
        }
    }

}
