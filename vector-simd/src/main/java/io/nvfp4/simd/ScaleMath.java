package io.nvfp4.simd;

import io.nvfp4.format.BF16;
import io.nvfp4.format.E8M0;
import io.nvfp4.format.ElementType;
import io.nvfp4.quantize.Nvfp4Recipe;

/**
 * The per-block scalar steps of the reference quantizer, in the same fp32 order of operations: the
 * NVFP4 block-scale byte and element constant of each recipe (core's package-private
 * {@code Nvfp4Reference} and {@code Ggml}), the MX shared exponent ({@code MxReference}), and a
 * branch-light exact E4M3 encoder. Plain Java, no vectors: these run once per block.
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

    /** The E4M3 block-scale byte for block amax {@code b} and stored tensor scale {@code g} (recipe order). */
    static int blockScaleCode(Nvfp4Recipe recipe, float b, float g) {
        return switch (recipe) {
            case MODELOPT -> {
                float r = b / (6f * g);
                yield encodeE4M3(r == 0 ? 1f : r);
            }
            case TORCHAO -> encodeE4M3(Math.clamp((b / 6f) / g, E4M3_MIN_NORMAL, E4M3_MAX));
            case COMPRESSED_TENSORS -> ctScaleCode(g * (b / 6f));
            case COMPRESSED_TENSORS_BF16 -> ctScaleCode(g * BF16.round(b / 6f));
            case GGML -> ggmlUe4m3(b / 6f);
        };
    }

    private static int ctScaleCode(float r) {
        int code = encodeE4M3(Math.clamp(r, -E4M3_MAX, E4M3_MAX));
        return code == 0 ? 0x20 : code;
    }

    /**
     * The per-block element constant: modelopt and compressed-tensors divide by it, torchao multiplies
     * by it, GGML compares against multiples of it.
     */
    static float elementConstant(Nvfp4Recipe recipe, float s, float g) {
        return switch (recipe) {
            case MODELOPT -> s * g;
            case TORCHAO -> (1f / g) / s;
            case COMPRESSED_TENSORS, COMPRESSED_TENSORS_BF16 -> s / g;
            case GGML -> s * 0.5f;
        };
    }

    /** {@code ggml_fp32_to_ue4m3}: half-up rounding, saturation at 448, subnormals capped at 7. */
    static int ggmlUe4m3(float x) {
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

    /** 2^(127 - code): what the reference multiplies MX elements by. */
    static float mxReciprocal(int scaleCode) {
        return E8M0.decode(254 - scaleCode);
    }
}
