package io.nvfp4.simd;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.Recipe;
import io.nvfp4.tensor.QuantizedMatrix;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Vector dequantization gives the scalar dequantizer's floats, bit for bit, whatever the bytes. */
class SimdDequantizeTest {
    private final SimdBackend simd = new SimdBackend();

    /** Arbitrary bytes: every code, every scale byte (negative and NaN E4M3, E8M0 0 and 0xFF included). */
    @Tag("width")
    @Property(tries = 200)
    void anyBytesDecodeLikeTheReference(@ForAll @IntRange(min = 1, max = 20) int rows,
                                        @ForAll @IntRange(min = 1, max = 300) int columns,
                                        @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (BlockFormat format : new BlockFormat[] {BlockFormat.NVFP4, BlockFormat.MXFP4}) {
            Recipe[] recipes = format == BlockFormat.NVFP4 ? Nvfp4Recipe.values() : new Recipe[] {MxRecipe.OCP};
            Recipe recipe = recipes[random.nextInt(recipes.length)];
            long padded = format.paddedColumns(columns);
            byte[] codes = new byte[Math.toIntExact(rows * padded / 2)];
            random.nextBytes(codes);
            ScaleLayout layout = random.nextBoolean() ? ScaleLayout.ROW_MAJOR : ScaleLayout.SWIZZLED_128X4;
            byte[] scales = new byte[Math.toIntExact(layout.byteSize(rows, padded / format.blockSize()))];
            random.nextBytes(scales);
            float tensorScale = format.hasTensorScale() && recipe != Nvfp4Recipe.GGML
                    ? (float) Math.scalb(0.5 + random.nextDouble(), random.nextInt(-30, 30)) : 1f;
            QuantizedMatrix q = QuantizedMatrix.copyOf(format, recipe, rows, columns, codes, scales, layout, tensorScale);
            assertSameFloats(q);
        }
    }

    @Test
    void quantizedWeightsDecodeLikeTheReference() {
        Weights w = Weights.generate(7, 333, 11);
        for (Quantizer quantizer : new Quantizer[] {Quantizer.nvfp4(), Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS),
                Quantizer.mx(BlockFormat.MXFP4), Quantizer.mx(BlockFormat.MXFP8_E5M2)}) {
            assertSameFloats(quantizer.quantize(w.values(), w.rows(), w.columns()));
        }
    }

    private void assertSameFloats(QuantizedMatrix q) {
        int columns = (int) q.columns();
        float[] expected = new float[columns];
        float[] actual = new float[columns + 3];
        for (long r = 0; r < q.rows(); r++) {
            Dequantizer.dequantizeRow(q, r, expected);
            simd.dequantizeRow(q, r, actual);
            for (int c = 0; c < columns; c++) {
                if (Float.floatToRawIntBits(actual[c]) != Float.floatToRawIntBits(expected[c])) {
                    throw new AssertionError(q + " row " + r + " column " + c + ": " + actual[c] + " (0x"
                            + Integer.toHexString(Float.floatToRawIntBits(actual[c])) + "), the reference has "
                            + expected[c] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[c])) + ")");
                }
            }
            assertThat(actual[columns]).as("past the logical columns").isZero();
        }
    }
}
