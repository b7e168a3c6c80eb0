package io.nvfp4.quantize;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.tensor.GgmlBlocks;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Reproduces every golden vector in {@code shared/testdata/golden} bit for bit: tensor scales,
 * block-scale bytes (row-major and swizzled), packed codes, dequantized values, and the ggml block
 * layouts; and dequantizing the golden bytes themselves reproduces the golden values.
 */
class GoldenVectorsTest {
    private static final Map<String, Nvfp4Recipe> NVFP4_VARIANTS = Map.of(
            "torchao", Nvfp4Recipe.TORCHAO,
            "modelopt", Nvfp4Recipe.MODELOPT,
            "compressed_tensors", Nvfp4Recipe.COMPRESSED_TENSORS,
            "compressed_tensors_bf16", Nvfp4Recipe.COMPRESSED_TENSORS_BF16);
    private static final Map<String, MxRecipe> MX_MODES = Map.of(
            "floor", MxRecipe.of(MxScaleRule.FLOOR),
            "ceil", MxRecipe.of(MxScaleRule.CEIL),
            "even", MxRecipe.of(MxScaleRule.EVEN),
            "rceil", MxRecipe.of(MxScaleRule.RCEIL),
            "microxcaling", MxRecipe.MICROXCALING);

    @Test
    void everyTensorOfEveryCaseIsChecked() {
        // A key this test does not know would be silently skipped: fail instead, so new variants get wired in.
        for (GoldenCase c : GoldenCase.all()) {
            for (String key : c.tensors().keySet()) {
                String[] parts = key.split("\\.");
                boolean known = key.equals("input")
                        || parts[0].equals("nvfp4") && NVFP4_VARIANTS.containsKey(parts[1])
                        || parts[0].equals("mxfp4") && MX_MODES.containsKey(parts[1])
                        || parts[0].equals("ggml_nvfp4") || parts[0].equals("ggml_mxfp4");
                assertThat(known).as("%s: tensor %s has no check", c, key).isTrue();
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> nvfp4() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : GoldenCase.all()) {
            NVFP4_VARIANTS.forEach((variant, recipe) -> {
                if (c.has("nvfp4." + variant + ".packed")) {
                    tests.add(DynamicTest.dynamicTest(c + " nvfp4." + variant, () -> checkNvfp4(c, variant, recipe)));
                }
            });
        }
        assertThat(tests).as("NVFP4 golden cases").isNotEmpty();
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> mxfp4() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : GoldenCase.all()) {
            MX_MODES.forEach((mode, recipe) -> {
                if (c.has("mxfp4." + mode + ".packed")) {
                    tests.add(DynamicTest.dynamicTest(c + " mxfp4." + mode, () -> checkMxfp4(c, mode, recipe)));
                }
            });
        }
        assertThat(tests).as("MXFP4 golden cases").isNotEmpty();
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> ggml() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : GoldenCase.all()) {
            if (c.has("ggml_nvfp4.blocks")) {
                tests.add(DynamicTest.dynamicTest(c + " ggml_nvfp4", () -> checkGgmlNvfp4(c)));
            }
            if (c.has("ggml_mxfp4.blocks")) {
                tests.add(DynamicTest.dynamicTest(c + " ggml_mxfp4", () -> checkGgmlMxfp4(c)));
            }
        }
        return tests.stream();
    }

    private static void checkNvfp4(GoldenCase c, String variant, Nvfp4Recipe recipe) {
        String p = "nvfp4." + variant;
        long[] shape = c.shape("input");
        Quantizer quantizer = Quantizer.nvfp4(recipe);
        float amax = c.scalar("nvfp4.global_amax");
        if (c.param("nvfp4.global_amax_source").startsWith("max")) {
            assertThat(bits(maxAbs(c.floats("input")))).as("%s: data amax", c).isEqualTo(bits(amax));
        } else if (bits(amax) != bits(maxAbs(c.floats("input")))) {
            quantizer = quantizer.withTensorAmax(amax); // a given (calibrated) amax, whatever the wording
        }
        QuantizedMatrix q = quantizer.quantize(c.floats("input"), shape[0], shape[1]);

        assertThat(bits(q.tensorScale())).as("%s %s tensor scale (%s vs golden %s)", c, p, q.tensorScale(),
                c.scalar(p + ".global")).isEqualTo(bits(c.scalar(p + ".global")));
        assertBytes(c, p + ".scales", segmentBytes(q.scales()));
        assertBytes(c, p + ".packed", segmentBytes(q.codes()));
        assertBytes(c, p + ".scales_swizzled", segmentBytes(q.withScaleLayout(ScaleLayout.SWIZZLED_128X4).scales()));
        assertDequant(c, p + ".dequant", q);

        // Dequantizing the golden bytes themselves gives the golden values, from either scale layout.
        QuantizedMatrix golden = QuantizedMatrix.copyOf(BlockFormat.NVFP4, recipe, shape[0], shape[1],
                c.bytes(p + ".packed"), c.bytes(p + ".scales"), ScaleLayout.ROW_MAJOR, c.scalar(p + ".global"));
        assertDequant(c, p + ".dequant", golden);
        QuantizedMatrix swizzled = QuantizedMatrix.copyOf(BlockFormat.NVFP4, recipe, shape[0], shape[1],
                c.bytes(p + ".packed"), c.bytes(p + ".scales_swizzled"), ScaleLayout.SWIZZLED_128X4,
                c.scalar(p + ".global"));
        assertBytes(c, p + ".scales", segmentBytes(swizzled.withScaleLayout(ScaleLayout.ROW_MAJOR).scales()));
    }

    private static void checkMxfp4(GoldenCase c, String mode, MxRecipe recipe) {
        String p = "mxfp4." + mode;
        long[] shape = c.shape("input");
        QuantizedMatrix q = Quantizer.mx(BlockFormat.MXFP4, recipe).quantize(c.floats("input"), shape[0], shape[1]);
        assertBytes(c, p + ".scales", segmentBytes(q.scales()));
        assertBytes(c, p + ".packed", segmentBytes(q.codes()));
        if (c.has(p + ".scales_swizzled")) {
            assertBytes(c, p + ".scales_swizzled", segmentBytes(q.withScaleLayout(ScaleLayout.SWIZZLED_128X4).scales()));
        }
        assertDequant(c, p + ".dequant", q);
        QuantizedMatrix golden = QuantizedMatrix.copyOf(BlockFormat.MXFP4, recipe, shape[0], shape[1],
                c.bytes(p + ".packed"), c.bytes(p + ".scales"), ScaleLayout.ROW_MAJOR, 1f);
        assertDequant(c, p + ".dequant", golden);
    }

    private static void checkGgmlNvfp4(GoldenCase c) {
        long[] shape = c.shape("input");
        QuantizedMatrix q = Quantizer.nvfp4(Nvfp4Recipe.GGML).quantize(c.floats("input"), shape[0], shape[1]);
        assertBytes(c, "ggml_nvfp4.blocks", segmentBytes(GgmlBlocks.toNvfp4Blocks(q)));
        assertDequant(c, "ggml_nvfp4.dequant", q);
        QuantizedMatrix read = GgmlBlocks.fromNvfp4Blocks(MemorySegment.ofArray(c.bytes("ggml_nvfp4.blocks")),
                shape[0], q.paddedColumns());
        assertDequant(c, "ggml_nvfp4.dequant", read);
        assertThat(segmentBytes(read.codes())).isEqualTo(segmentBytes(q.codes()));
    }

    private static void checkGgmlMxfp4(GoldenCase c) {
        long[] shape = c.shape("input");
        QuantizedMatrix q = Quantizer.mx(BlockFormat.MXFP4, MxRecipe.GGML).quantize(c.floats("input"), shape[0], shape[1]);
        assertBytes(c, "ggml_mxfp4.blocks", segmentBytes(GgmlBlocks.toMxfp4Blocks(q)));
        assertDequant(c, "ggml_mxfp4.dequant", q);
        QuantizedMatrix read = GgmlBlocks.fromMxfp4Blocks(MemorySegment.ofArray(c.bytes("ggml_mxfp4.blocks")),
                shape[0], q.paddedColumns(), MxRecipe.GGML);
        assertDequant(c, "ggml_mxfp4.dequant", read);
    }

    /** Golden dequant has the padded K (README); compare every stored column, bit patterns included. */
    private static void assertDequant(GoldenCase c, String key, QuantizedMatrix q) {
        float[] expected = c.floats(key);
        long[] shape = c.shape(key);
        assertThat(shape[0]).isEqualTo(q.rows());
        for (long r = 0; r < shape[0]; r++) {
            for (long col = 0; col < shape[1]; col++) {
                float e = expected[(int) (r * shape[1] + col)];
                float a = q.get(r, col);
                if (bits(a) != bits(e)) {
                    fail("%s %s: (%d, %d) is %s (0x%08x), golden %s (0x%08x); code %d, scale byte 0x%02x",
                            c, key, r, col, a, bits(a), e, bits(e), q.code(r, col),
                            q.scaleCode(r, col / q.format().blockSize()));
                }
            }
        }
        if (q.columns() == shape[1]) { // the bulk dequantizer agrees with the per-element one
            float[] bulk = Dequantizer.dequantize(q);
            for (int i = 0; i < bulk.length; i++) {
                assertThat(bits(bulk[i])).as("%s %s bulk element %d", c, key, i).isEqualTo(bits(expected[i]));
            }
        }
    }

    private static void assertBytes(GoldenCase c, String key, byte[] actual) {
        byte[] expected = c.bytes(key);
        assertThat(actual.length).as("%s %s length", c, key).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            if (actual[i] != expected[i]) {
                fail("%s %s: byte %d is 0x%02x, golden 0x%02x (%d bytes differ in all)", c, key, i,
                        actual[i] & 0xFF, expected[i] & 0xFF, countDiffs(actual, expected));
            }
        }
    }

    private static int countDiffs(byte[] a, byte[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += a[i] != b[i] ? 1 : 0;
        }
        return n;
    }

    static byte[] segmentBytes(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }

    private static float maxAbs(float[] values) {
        float m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static int bits(float f) {
        return Float.floatToRawIntBits(f);
    }
}
