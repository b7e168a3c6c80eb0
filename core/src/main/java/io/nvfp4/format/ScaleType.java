package io.nvfp4.format;

/** The type of a block's shared scale byte. */
public enum ScaleType {
    /** Unsigned E4M3 (an E4M3FN byte with sign 0): NVFP4's per-16 scale, multiplied by a tensor scale. */
    UE4M3,
    /** E8M0 power of two: the OCP MX per-32 scale. */
    E8M0;

    /** The value of a scale byte: E4M3 or E8M0 decode (NaN for the NaN codes). */
    public float decode(int code) {
        return this == UE4M3 ? ElementType.E4M3.decode(code) : io.nvfp4.format.E8M0.decode(code);
    }
}
