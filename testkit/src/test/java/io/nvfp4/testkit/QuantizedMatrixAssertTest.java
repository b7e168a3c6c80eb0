package io.nvfp4.testkit;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.ScaleRule;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

import static io.nvfp4.testkit.NvfpAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantizedMatrixAssertTest {
    private static final Tensor SOURCE = Tensors.tensors(4, 70).generate(4, 70, Distribution.NORMAL, 1);
    private static final QuantizedMatrix Q = Quantizer.nvfp4().quantize(SOURCE.matrix());

    /** {@code q} with code byte {@code at} replaced by {@code value}. */
    private static QuantizedMatrix withCodeByte(QuantizedMatrix q, int at, int value) {
        byte[] codes = q.codes().toArray(ValueLayout.JAVA_BYTE);
        codes[at] = (byte) value;
        return QuantizedMatrix.copyOf(q.format(), q.recipe(), q.rows(), q.columns(), codes,
                q.scales().toArray(ValueLayout.JAVA_BYTE), q.scaleLayout(), q.tensorScale());
    }

    @Test
    void reproducesAGolden() {
        Golden golden = Golden.of(Q);
        assertThat(Q).reproduces(golden);
        assertThat(Q.withScaleLayout(ScaleLayout.SWIZZLED_128X4)).reproduces(golden);

        byte[] codes = golden.codes();
        codes[Math.toIntExact(Q.codeBytesPerRow()) + 3] ^= 0x10;
        assertThatThrownBy(() -> assertThat(Q).reproduces(new Golden(codes, golden.scales(), golden.tensorScaleBits())))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Code byte " + (Q.codeBytesPerRow() + 3))
                .hasMessageContaining("row 1, columns 6 and 7");

        byte[] scales = golden.scales();
        scales[Math.toIntExact(2 * Q.blocksPerRow() + 1)] ^= 1;
        assertThatThrownBy(() -> assertThat(Q).reproduces(new Golden(golden.codes(), scales, golden.tensorScaleBits())))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("row 2, block 1: columns 16 to 31");

        assertThatThrownBy(() -> assertThat(Q).reproduces(Golden.of(golden.codes(), golden.scales(), 1f)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Tensor scale differs");
    }

    @Test
    void isByteIdenticalTo() {
        QuantizedMatrix again = Quantizer.nvfp4().quantize(SOURCE.values(), 4, 70);
        assertThat(Q).isByteIdenticalTo(again).isByteIdenticalTo(again.withScaleLayout(ScaleLayout.SWIZZLED_128X4));

        QuantizedMatrix tampered = withCodeByte(Q, 2, Q.codes().get(ValueLayout.JAVA_BYTE, 2) ^ 0x01);
        assertThatThrownBy(() -> assertThat(Q).isByteIdenticalTo(tampered))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Code byte 2 differs")
                .hasMessageContaining("row 0, columns 4 and 5");

        QuantizedMatrix mx = Quantizer.mx(BlockFormat.MXFP4).quantize(SOURCE.matrix());
        assertThatThrownBy(() -> assertThat(Q).isByteIdenticalTo(mx))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Expected format MXFP4");

        QuantizedMatrix smaller = Quantizer.nvfp4().quantize(FloatMatrix.of(new float[69], 1, 69));
        assertThatThrownBy(() -> assertThat(Q).isByteIdenticalTo(smaller))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Expected shape 1 x 69 but was 4 x 70");
    }

    @Test
    void hasSqnrAtLeast() {
        assertThat(Q).against(SOURCE.values()).hasSqnrAtLeast(15);
        assertThat(Q).hasSqnrAtLeast(15, SOURCE.matrix());
        assertThatThrownBy(() -> assertThat(Q).hasSqnrAtLeast(40, SOURCE.values()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Expected SQNR of at least 40.00 dB");
        assertThatThrownBy(() -> assertThat(Q).hasSqnrAtLeast(15))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("against(source)");
    }

    @Test
    void errorWithinGridBoundHoldsForEveryRuleAndFormat() {
        FloatMatrix m = Tensors.tensors(3, 100).withOutliers(0.02).withZeroBlocks(32, 0.2)
                .generate(3, 100, Distribution.STUDENT_T3, 3).matrix();
        for (ScaleRule rule : ScaleRule.values()) {
            assertThat(Quantizer.nvfp4().withScaleRule(rule).quantize(m)).errorWithinGridBound(m);
        }
        for (Nvfp4Recipe recipe : Nvfp4Recipe.values()) {
            assertThat(Quantizer.nvfp4(recipe).quantize(m)).errorWithinGridBound(m);
        }
        for (BlockFormat format : BlockFormat.values()) {
            if (format != BlockFormat.NVFP4) {
                assertThat(Quantizer.mx(format).quantize(m)).errorWithinGridBound(m);
            }
        }
    }

    @Test
    void errorWithinGridBoundNamesTheFirstBadElement() {
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i + 1; // the block maximum 16 maps to 6: 1 -> 0.375, between 0 and 0.5, nearest 0.5
        }
        QuantizedMatrix good = Quantizer.nvfp4().quantize(x, 1, 16);
        assertThat(good).errorWithinGridBound(x);
        QuantizedMatrix bad = withCodeByte(good, 0, good.codes().get(ValueLayout.JAVA_BYTE, 0) & 0xF0); // column 0 -> 0
        assertThatThrownBy(() -> assertThat(bad).errorWithinGridBound(x))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("element (row 0, column 0) within the grid bound: source 1.0, decoded 0.0");
    }

    @Test
    void aZeroBlockFactorDecodesToZero() {
        float[] x = new float[32];
        x[20] = 3;
        QuantizedMatrix ggml = Quantizer.nvfp4(Nvfp4Recipe.GGML).quantize(x, 1, 32);
        assertThat(ggml).errorWithinGridBound(x).hasSqnrAtLeast(15, x);
    }
}
