package io.nvfp4.format;

/** IEEE binary16 (half precision). The JDK's conversions are exact and round to nearest even. */
public final class FP16 {
    private FP16() {}

    /** The float value of these binary16 bits (exact). */
    public static float toFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Rounds to binary16, nearest with ties to even; overflow gives ±Inf, NaN stays NaN. */
    public static short fromFloat(float x) {
        return Float.floatToFloat16(x);
    }
}
