package io.nvfp4.format;

/** bfloat16: the upper half of an IEEE binary32. */
public final class BF16 {
    private BF16() {}

    /** The float with these 16 bits as its upper half (exact). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Rounds to bfloat16, nearest with ties to even; NaN stays a (quiet) NaN with its sign, ±Inf stay. */
    public static short fromFloat(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** {@code x} rounded to the nearest bfloat16, as a float: what a bf16 tensor op stores. */
    public static float round(float x) {
        return toFloat(fromFloat(x));
    }
}
