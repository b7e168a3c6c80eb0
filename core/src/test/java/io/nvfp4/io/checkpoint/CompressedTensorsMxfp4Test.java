package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BF16;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Converter#COMPRESSED_TENSORS_MXFP4} against compressed-tensors' MXFP4 algorithm as its
 * source writes it ({@code mxfp4_utils.generate_mxfp4_scales}, {@code FP4_E2M1_DATA.cast_to_fp4},
 * {@code pack_fp4_to_uint8}), transcribed here operation by operation on bf16 data.
 */
class CompressedTensorsMxfp4Test {
    private static final Quantizer QUANTIZER = Quantizer.mx(BlockFormat.MXFP4, Converter.COMPRESSED_TENSORS_MXFP4);
    private static final float[] E2M1 = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f};

    /** {@code round_to_power_2} on bf16 bits, then {@code 127 + floor(log2) - 2}, clamped and rounded to uint8. */
    private static int ctScaleCode(float bf16Amax) {
        int bits = BF16.fromFloat(bf16Amax) & 0xFFFF;
        int rounded = (bits + (1 << 5)) & 0xFF80; // BFLOAT16_VAL_TO_ADD, BFLOAT16_SIGN_EXPONENT_MASK
        float p = BF16.toFloat((short) rounded); // a power of two, zero (exponent field 0) or infinity
        double log2 = p == 0 ? Double.NEGATIVE_INFINITY : Double.isInfinite(p) ? Double.POSITIVE_INFINITY : Math.getExponent(p);
        double code = 127 + Math.floor(log2) - 2;
        return (int) Math.rint(Math.clamp(code, 0, 255));
    }

    /** {@code cast_to_fp4} then {@code pack_fp4_to_uint8}'s code for one scaled element. */
    private static int ctElementCode(float scaled) {
        float sign = scaled > 0 ? 1f : scaled < 0 ? -1f : 0f; // torch.sign: sign(-0.0) is +0
        float x = Math.abs(scaled);
        float q;
        if (x <= 0.25f) {
            q = 0f;
        } else if (x < 0.75f) {
            q = 0.5f;
        } else if (x <= 1.25f) {
            q = 1f;
        } else if (x < 1.75f) {
            q = 1.5f;
        } else if (x <= 2.5f) {
            q = 2f;
        } else if (x < 3.5f) {
            q = 3f;
        } else if (x <= 5f) {
            q = 4f;
        } else {
            q = 6f;
        }
        float v = q * sign;
        int index = 0;
        for (int i = 1; i < E2M1.length; i++) {
            if (Math.abs(Math.abs(v) - E2M1[i]) < Math.abs(Math.abs(v) - E2M1[index])) {
                index = i;
            }
        }
        return index | ((Float.floatToRawIntBits(v) >>> 31) << 3); // torch.signbit
    }

    private static QuantizedMatrix quantize(float[] block) {
        return QUANTIZER.quantize(block, 1, block.length);
    }

    @Test
    void scaleCodesMatchForEveryPositiveBf16Amax() {
        float limit = 1.75f * 0x1p127f;
        for (int bits = 0; bits < 0x7F80; bits++) {
            float amax = BF16.toFloat((short) bits);
            float[] block = new float[32];
            block[7] = amax;
            int ours = quantize(block).scaleCode(0, 0);
            if (amax < limit) {
                assertThat(ours).as("amax %s (bf16 0x%04x)", amax, bits).isEqualTo(ctScaleCode(amax));
            } else {
                assertThat(ctScaleCode(amax)).isEqualTo(255); // compressed-tensors overflows to a NaN scale
                assertThat(ours).isEqualTo(253);
            }
        }
    }

    @Test
    void elementCodesMatchOnRandomAndTieBlocks() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 2000; trial++) {
            float[] block = new float[32];
            double scale = Math.scalb(1.0, random.nextInt(-20, 20));
            for (int i = 0; i < block.length; i++) {
                double v = switch (random.nextInt(4)) {
                    case 0 -> random.nextGaussian();
                    case 1 -> (random.nextInt(25) - 12) * 0.25; // midpoints of the E2M1 grid at scale 1
                    case 2 -> random.nextBoolean() ? -0.0 : 1e-6 * (random.nextBoolean() ? -1 : 1);
                    default -> random.nextGaussian() * 8;
                };
                block[i] = BF16.round((float) (v * scale));
            }
            QuantizedMatrix q = quantize(block);
            float amax = 0;
            for (float v : block) {
                amax = Math.max(amax, Math.abs(v));
            }
            int scaleCode = ctScaleCode(amax);
            assertThat(q.scaleCode(0, 0)).isEqualTo(scaleCode);
            float divisor = Math.scalb(1f, scaleCode - 127);
            for (int i = 0; i < block.length; i++) {
                float scaled = BF16.round(block[i] / divisor); // x / scale in the model's dtype: exact here
                assertThat(q.code(0, i)).as("trial %d element %d = %s", trial, i, block[i]).isEqualTo(ctElementCode(scaled));
            }
        }
    }
}
