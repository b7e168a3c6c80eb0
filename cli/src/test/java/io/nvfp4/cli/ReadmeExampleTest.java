package io.nvfp4.cli;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.metrics.ErrorStats;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.Gptq;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.GgmlBlocks;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps README.md true: its Java examples are the bodies below (compiled and run here, and compared
 * with the README text), and its pasted {@code nvfp4 formats} output is what the command prints.
 */
class ReadmeExampleTest {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path README = MODULE.getParent().resolve("README.md");
    private static final Path THIS_FILE = MODULE.resolve("src/test/java/io/nvfp4/cli/ReadmeExampleTest.java");

    @Test
    void usageExampleRuns() {
        // README-BEGIN
        // A 256 x 1024 weight matrix, row-major (random here; a model's weights in practice).
        int n = 256, k = 1024;
        float[] weights = new float[n * k];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) random.nextGaussian();
        }
        FloatMatrix w = FloatMatrix.of(weights, n, k);

        // NVFP4 as NVIDIA modelopt exports it: E2M1 codes, a UE4M3 scale per 16, an FP32 tensor scale.
        QuantizedMatrix q = Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).quantize(w);
        MemorySegment codes = q.codes();     // weight:         n x k/2 bytes, two codes a byte
        MemorySegment scales = q.scales();   // weight_scale:   n x k/16 UE4M3 bytes, row-major
        float tensorScale = q.tensorScale(); // weight_scale_2: amax / 2688

        float[] restored = Dequantizer.dequantize(q);
        ErrorStats error = ErrorStats.compare(weights, restored);
        double sqnr = error.sqnrDb(); // about 20.4 dB on normal data

        // The same scales in the cuBLAS 128x4 tile layout that torch._scaled_mm consumes.
        QuantizedMatrix swizzled = q.withScaleLayout(ScaleLayout.SWIZZLED_128X4);

        // OCP MXFP4: an E8M0 (power of two) scale per 32 elements.
        QuantizedMatrix mx = Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP).quantize(w);

        // ggml's block_nvfp4 bytes, for GGUF: ggml has no tensor scale, so quantize with its recipe.
        QuantizedMatrix g = Quantizer.nvfp4(Nvfp4Recipe.GGML).quantize(w);
        MemorySegment ggmlBlocks = GgmlBlocks.toNvfp4Blocks(g);
        // README-END

        assertThat(codes.byteSize()).isEqualTo(n * k / 2);
        assertThat(scales.byteSize()).isEqualTo(n * k / 16);
        assertThat(tensorScale).isPositive();
        assertThat(sqnr).isBetween(20.0, 21.0);
        assertThat(swizzled.scaleLayout()).isEqualTo(ScaleLayout.SWIZZLED_128X4);
        assertThat(Dequantizer.dequantize(swizzled)).isEqualTo(restored);
        assertThat(mx.scales().byteSize()).isEqualTo(n * k / 32);
        assertThat(ggmlBlocks.byteSize()).isEqualTo((long) n * k / 64 * 36);
    }

    @Test
    void gptqExampleRuns() {
        int n = 64, k = 96, tokens = 300;
        SplittableRandom random = new SplittableRandom(2);
        float[] weight = new float[n * k];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) random.nextGaussian();
        }
        float[] calibrationInputs = new float[tokens * k];
        for (int t = 0; t < tokens; t++) {
            double shared = random.nextGaussian(); // correlated features: what GPTQ exploits
            for (int c = 0; c < k; c++) {
                calibrationInputs[t * k + c] = (float) (shared + 0.5 * random.nextGaussian());
            }
        }
        // README-GPTQ-BEGIN
        Gptq.Hessian h = new Gptq.Hessian(k);
        h.accumulate(FloatMatrix.of(calibrationInputs, tokens, k));   // as many batches as you have
        QuantizedMatrix w = Gptq.of(Quantizer.nvfp4().withScaleRule(ScaleRule.MSE_SEARCH))
                .quantize(FloatMatrix.of(weight, n, k), h);
        // README-GPTQ-END

        assertThat(w.rows()).isEqualTo(n);
        assertThat(h.samples()).isEqualTo(tokens);
    }

    @Test
    void readmeShowsTheExamplesAsWritten() throws IOException {
        for (String marker : List.of("README", "README-GPTQ")) {
            String source = Files.readString(THIS_FILE);
            String begin = "// " + marker + "-BEGIN\n";
            String body = source.substring(source.indexOf(begin) + begin.length(),
                    source.indexOf("        // " + marker + "-END"));

            String example = dedent(body);
            assertThat(javaBlocks()).as("README.md java blocks").anyMatch(block -> block.contains(example));
        }
    }

    @Test
    void readmeShowsTheCurrentFormatsOutput() throws IOException {
        String formats = CliRun.of("formats").out();

        assertThat(Files.readString(README)).contains("$ ./nvfp4 formats\n" + formats);
    }

    /** The fenced {@code java} blocks of README.md. */
    private static List<String> javaBlocks() throws IOException {
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        return m.results().map(r -> r.group(1)).toList();
    }

    /** {@code text} with the indentation of the test method body (8 spaces) removed. */
    private static String dedent(String text) {
        return text.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
