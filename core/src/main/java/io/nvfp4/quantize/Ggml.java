package io.nvfp4.quantize;

/**
 * ggml's own FP4 arithmetic (ggml-impl.h, ggml-quants.c; spec section 6), kept apart because it
 * deliberately differs from the PyTorch references: its UE4M3 cast rounds half-up, and elements
 * are chosen by a first-minimum search over a doubled E2M1 table with a halved scale.
 */
final class Ggml {
    /** {@code kvalues_mxfp4}: 2 x E2M1, codes 0..15. */
    private static final float[] KVALUES = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    private Ggml() {}

    /**
     * {@code ggml_fp32_to_ue4m3}: non-positive and NaN give 0; above 448 clamps; the normal range
     * rounds half-up on the first dropped mantissa bit; exponent field 15 (256 and up) saturates to
     * 0x7E; the subnormal range computes {@code (int)(x * 512 + 0.5)} and caps it at 7.
     */
    static int ue4m3(float x) {
        if (!(x > 0f)) {
            return 0;
        }
        if (x > 448f) {
            x = 448f;
        }
        int bits = Float.floatToRawIntBits(x);
        int exponent = ((bits >>> 23) & 0xFF) - 127 + 7;
        if (exponent <= 0) {
            int mantissa = (int) (x * 512f + 0.5f);
            return mantissa < 1 ? 0 : Math.min(mantissa, 7);
        }
        if (exponent >= 15) {
            return 0x7E;
        }
        int mantissa = ((bits >>> 20) & 0x7) + ((bits >>> 19) & 1);
        if (mantissa > 7) {
            mantissa = 0;
            exponent++;
            if (exponent >= 15) {
                return 0x7E;
            }
        }
        return (exponent << 3) | mantissa;
    }

    /**
     * {@code best_index_mxfp4(x, d)}: the first code minimising {@code |kvalues[i] * d - x|} in fp32,
     * so ties go to the smaller magnitude and a negative that rounds to zero gets code 0.
     */
    static int bestIndex(float x, float halfScale) {
        int best = 0;
        float bestError = Math.abs(KVALUES[0] * halfScale - x);
        for (int i = 1; i < 16; i++) {
            float error = Math.abs(KVALUES[i] * halfScale - x);
            if (error < bestError) {
                best = i;
                bestError = error;
            }
        }
        return best;
    }
}
