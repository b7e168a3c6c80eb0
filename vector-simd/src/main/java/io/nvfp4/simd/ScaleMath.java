package io.nvfp4.simd;

import io.nvfp4.format.E8M0;
import io.nvfp4.format.ElementType;

/**
 * Scalar per-block helpers of the vector kernels: the E4M3 decode table, the MX element factor, and
 * the exact E4M3 rounding by bits that {@link SimdQuantizer#scaleCodes} runs lane-wise, written out
 * once in scalar form so that it can be checked against {@code ElementType.E4M3.encode} at every
 * rounding boundary. The NVFP4 per-block steps themselves are core's public
 * {@link io.nvfp4.quantize.Nvfp4Recipe#blockScaleCode} and {@link io.nvfp4.quantize.Nvfp4Recipe#elementConstant}.
 */
final class ScaleMath {
    private static final float E4M3_MIN_NORMAL = 0x1p-6f;
    private static final float E4M3_MAX = 448f;
    private static final float[] E4M3_VALUES = ElementType.E4M3.decodeTable();

    private ScaleMath() {}

    /** The decoded E4M3 byte (NaN for 0x7F and 0xFF). */
    static float e4m3(int code) {
        return E4M3_VALUES[code & 0xFF];
    }

    /**
     * {@code ElementType.E4M3.encode(x)}: round to nearest even, saturate at 448 (infinities too), NaN to
     * the NaN code; the sign bit is kept (negative zero gives 0x80).
     */
    static int encodeE4M3(float x) {
        int bits = Float.floatToRawIntBits(x);
        int sign = (bits >>> 24) & 0x80;
        float a = Math.abs(x);
        if (!(a < E4M3_MAX)) {
            return Float.isNaN(x) ? 0x7F | sign : 0x7E | sign;
        }
        if (a < E4M3_MIN_NORMAL) {
            return sign | (int) Math.rint(a * 512f); // multiples of 2^-9; 8 is the smallest normal, 0x08
        }
        int magnitude = bits & 0x7FFFFFFF;
        int rounded = magnitude + 0x7FFFF + ((magnitude >>> 20) & 1); // ties to even at the third mantissa bit
        return sign | Math.min((rounded >>> 20) - ((127 - 7) << 3), 0x7E);
    }

    /** 2^(127 - code): what the reference multiplies MX elements by. */
    static float mxReciprocal(int scaleCode) {
        return E8M0.decode(254 - scaleCode);
    }
}
