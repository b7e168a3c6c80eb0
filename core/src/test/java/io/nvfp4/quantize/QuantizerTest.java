package io.nvfp4.quantize;

import io.nvfp4.format.BF16;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.format.FP16;
import io.nvfp4.format.ScaleLayout;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static io.nvfp4.quantize.QuantizerPropertiesTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Worked examples, edge cases and bad input for {@link Quantizer} and {@link Dequantizer}. */
class QuantizerTest {

    @Test
    void nvfp4ModeloptWorkedExample() {
        // amax 6 * 448 * 0.5 = 1344: tensor scale 0.5; block amax 3 -> r = 3 / (6 * 0.5) = 1 -> 0x38.
        float[] x = new float[32];
        x[0] = 3f;
        x[1] = -1.5f;
        x[2] = 0.375f;  // 0.75 steps of 0.5: the midpoint of E2M1 0.5 and 1, ties to even -> 1
        x[16] = 1344f;  // second block: r = 1344 / 3 = 448 -> 0x7E, element 6
        QuantizedMatrix q = Quantizer.nvfp4().quantize(x, 1, 32);
        assertThat(q.tensorScale()).isEqualTo(0.5f);
        assertThat(q.scaleCode(0, 0)).isEqualTo(0x38);
        assertThat(q.scaleCode(0, 1)).isEqualTo(0x7E);
        assertThat(q.code(0, 0)).isEqualTo(0x7);       // 3 / (1 * 0.5) = 6, the largest E2M1
        assertThat(q.get(0, 0)).isEqualTo(3f);
        assertThat(q.get(0, 1)).isEqualTo(-1.5f);
        assertThat(q.get(0, 2)).isEqualTo(0.5f);
        assertThat(q.get(0, 16)).isEqualTo(1344f);
    }

    @ParameterizedTest
    @EnumSource(Nvfp4Recipe.class)
    void allZeroTensorHasTensorScaleOneZeroCodesAndTheRecipesZeroBlockScale(Nvfp4Recipe recipe) {
        QuantizedMatrix q = Quantizer.nvfp4(recipe).quantize(new float[3 * 40], 3, 40);
        assertThat(q.tensorScale()).isEqualTo(1f);
        assertThat(bytes(q.codes())).containsOnly(0);
        for (long r = 0; r < 3; r++) {
            for (long b = 0; b < q.blocksPerRow(); b++) {
                assertThat(q.scaleCode(r, b)).isEqualTo(recipe.zeroBlockScaleCode());
            }
        }
        assertThat(Dequantizer.dequantize(q)).containsOnly(0f);
    }

    @Test
    void raggedColumnsArePaddedWithZerosAndTheLogicalWidthIsKept() {
        float[] x = new float[2 * 20];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7) - 3;
        }
        QuantizedMatrix q = Quantizer.nvfp4().quantize(x, 2, 20);
        assertThat(q.columns()).isEqualTo(20);
        assertThat(q.paddedColumns()).isEqualTo(32);
        assertThat(q.codes().byteSize()).isEqualTo(2 * 16);
        for (int c = 20; c < 32; c++) {
            assertThat(q.code(1, c)).isZero();
        }
        // The padded matrix quantizes exactly like an explicitly zero-padded input.
        float[] padded = new float[2 * 32];
        System.arraycopy(x, 0, padded, 0, 20);
        System.arraycopy(x, 20, padded, 32, 20);
        QuantizedMatrix explicit = Quantizer.nvfp4().quantize(padded, 2, 32);
        assertThat(bytes(q.codes())).isEqualTo(bytes(explicit.codes()));
        assertThat(bytes(q.scales())).isEqualTo(bytes(explicit.scales()));
        assertThat(Dequantizer.dequantize(q)).hasSize(40);
    }

    @Test
    void bf16AndFp16InputGiveTheSameBytesAsTheirFp32Values() {
        Samples s = Samples.generate(5, 70, 11, 6);
        MemorySegment bf16 = Arena.ofAuto().allocate(s.values().length * 2L);
        MemorySegment f16 = Arena.ofAuto().allocate(s.values().length * 2L);
        float[] bf16Values = new float[s.values().length];
        float[] f16Values = new float[s.values().length];
        ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < s.values().length; i++) {
            short b = BF16.fromFloat(s.values()[i]);
            short h = FP16.fromFloat(s.values()[i]);
            bf16.set(le, i * 2L, b);
            f16.set(le, i * 2L, h);
            bf16Values[i] = BF16.toFloat(b);
            f16Values[i] = FP16.toFloat(h);
        }
        for (Quantizer quantizer : new Quantizer[] {Quantizer.nvfp4(), Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS_BF16),
                Quantizer.mx(BlockFormat.MXFP4)}) {
            QuantizedMatrix fromBf16 = quantizer.quantize(FloatMatrix.of(bf16, DType.BF16, 5, 70));
            QuantizedMatrix fromF16 = quantizer.quantize(FloatMatrix.of(f16, DType.F16, 5, 70));
            assertThat(bytes(fromBf16.codes())).isEqualTo(bytes(quantizer.quantize(bf16Values, 5, 70).codes()));
            assertThat(bytes(fromF16.codes())).isEqualTo(bytes(quantizer.quantize(f16Values, 5, 70).codes()));
            assertThat(fromBf16.tensorScale()).isEqualTo(quantizer.quantize(bf16Values, 5, 70).tensorScale());
        }
    }

    @Test
    void swizzledOutputHoldsTheSameScalesAsRowMajor() {
        Samples s = Samples.generate(130, 80, 5, 4); // two 128-row tiles, 5 scale columns -> padded to 8
        QuantizedMatrix rowMajor = Quantizer.nvfp4().quantize(s.values(), 130, 80);
        QuantizedMatrix swizzled = Quantizer.nvfp4().withScaleLayout(ScaleLayout.SWIZZLED_128X4)
                .quantize(s.values(), 130, 80);
        assertThat(swizzled.scales().byteSize()).isEqualTo(256 * 8);
        assertThat(bytes(swizzled.codes())).isEqualTo(bytes(rowMajor.codes()));
        assertThat(bytes(swizzled.withScaleLayout(ScaleLayout.ROW_MAJOR).scales())).isEqualTo(bytes(rowMajor.scales()));
        assertThat(Dequantizer.dequantize(swizzled)).isEqualTo(Dequantizer.dequantize(rowMajor));
    }

    @Test
    void calibratedAmaxBelowTheDataSaturatesInsteadOfOverflowing() {
        float[] x = {1000f, -1000f, 1f, 0.5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        QuantizedMatrix q = Quantizer.nvfp4().withTensorAmax(1f).quantize(x, 1, 16);
        assertThat(q.scaleCode(0, 0)).isEqualTo(0x7E); // clamped at 448
        assertThat(q.get(0, 0)).isEqualTo(6 * 448 / 2688f);
        assertThat(q.get(0, 1)).isEqualTo(-6 * 448 / 2688f);
    }

    @Test
    void mxFormatsBeyondFp4() {
        float[] x = new float[32];
        x[0] = 3.3f;  // amax 3.3: FLOOR exponent 1 - emax
        x[1] = -0.1f;
        x[2] = 1e-30f;
        // MXFP8 E4M3: emax 8 -> scale 2^(1-8); 3.3 * 128 = 422.4 -> E4M3 416 (step 32 in [256, 448))
        QuantizedMatrix e4m3 = Quantizer.mx(BlockFormat.MXFP8_E4M3).quantize(x, 1, 32);
        assertThat(e4m3.scaleCode(0, 0)).isEqualTo(127 - 7);
        assertThat(e4m3.get(0, 0)).isEqualTo(416f / 128);
        // MXINT8: emax 0 -> scale 2^1; 3.3 / 2 * 64 = 105.6 -> 106; -0.1 / 2 * 64 = -3.2 -> -3
        QuantizedMatrix int8 = Quantizer.mx(BlockFormat.MXINT8).quantize(x, 1, 32);
        assertThat(int8.scaleCode(0, 0)).isEqualTo(128);
        assertThat(int8.code(0, 0)).isEqualTo(106);
        assertThat(int8.code(0, 1)).isEqualTo(256 - 3);
        assertThat(int8.get(0, 1)).isEqualTo(-3 / 64f * 2);
        assertThat(int8.get(0, 2)).isZero();
        // MXFP6 E3M2: emax 4 -> scale 2^-3; 3.3 * 8 = 26.4 -> 28 (step 4 in [16, 28])
        QuantizedMatrix e3m2 = Quantizer.mx(BlockFormat.MXFP6_E3M2).quantize(x, 1, 32);
        assertThat(e3m2.get(0, 0)).isEqualTo(28f / 8);
        assertThat(e3m2.codes().byteSize()).isEqualTo(32);
    }

    @Test
    void nanAndInfinityAreRejectedWithTheirPosition() {
        float[] x = new float[2 * 16];
        x[16 + 5] = Float.NaN;
        assertThatThrownBy(() -> Quantizer.nvfp4().quantize(x, 2, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 1, column 5").hasMessageContaining("NaN");
        x[16 + 5] = Float.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> Quantizer.mx(BlockFormat.MXFP4).quantize(x, 2, 16))
                .hasMessageContaining("row 1, column 5").hasMessageContaining("Infinity");
    }

    @Test
    void shapeMismatchesAndBadConfigurationsAreRejected() {
        assertThatThrownBy(() -> Quantizer.nvfp4().quantize(new float[10], 3, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 x 4").hasMessageContaining("12 values, the array has 10");
        assertThatThrownBy(() -> Quantizer.nvfp4().quantize(new float[0], 0, 4))
                .hasMessageContaining("shape must be positive");
        assertThatThrownBy(() -> Quantizer.nvfp4().withTensorAmax(Float.NaN)).hasMessageContaining("positive and finite");
        assertThatThrownBy(() -> Quantizer.nvfp4().withTensorAmax(0f)).hasMessageContaining("positive and finite");
        assertThatThrownBy(() -> Quantizer.mx(BlockFormat.MXFP4).withTensorAmax(1f)).hasMessageContaining("no tensor scale");
        assertThatThrownBy(() -> Quantizer.nvfp4(Nvfp4Recipe.GGML).withTensorAmax(1f)).hasMessageContaining("no tensor scale");
        assertThatThrownBy(() -> Quantizer.mx(BlockFormat.NVFP4)).hasMessageContaining("Nvfp4Recipe");
        assertThatThrownBy(() -> Quantizer.of(BlockFormat.MXFP4, Nvfp4Recipe.MODELOPT)).hasMessageContaining("does not describe");
    }

    @Test
    void aTensorAmaxFp32CannotScaleIsAnErrorNotANaNScale() {
        float[] x = {Float.MIN_VALUE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        // 1 / 1.4e-45 overflows: compressed-tensors' 2688 / amax has no finite value
        assertThatThrownBy(() -> Quantizer.nvfp4(Nvfp4Recipe.COMPRESSED_TENSORS).quantize(x, 1, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor scale");
        // torchao's 1 / (amax / 2688) overflows for a subnormal amax (found by the simd backend's property test)
        float[] tiny = {1.9e-41f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> Quantizer.nvfp4(Nvfp4Recipe.TORCHAO).quantize(tiny, 1, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor scale");
        // modelopt's amax / 2688 underflows to zero
        assertThatThrownBy(() -> Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).quantize(x, 1, 16))
                .hasMessageContaining("tensor scale");
    }

    @Test
    void dequantizeIntoASegmentMatchesTheArrayForm() {
        Samples s = Samples.generate(3, 50, 3, 3);
        QuantizedMatrix q = Quantizer.mx(BlockFormat.MXFP4).quantize(s.values(), 3, 50);
        MemorySegment out = Arena.ofAuto().allocate(3 * 50 * 4);
        Dequantizer.dequantize(q, out);
        assertThat(out.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)))
                .isEqualTo(Dequantizer.dequantize(q));
        assertThatThrownBy(() -> Dequantizer.dequantize(q, Arena.ofAuto().allocate(4)))
                .hasMessageContaining("destination");
    }
}
