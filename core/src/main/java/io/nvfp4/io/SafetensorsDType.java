package io.nvfp4.io;

import io.nvfp4.tensor.DType;

import java.util.Optional;

/**
 * The element types a safetensors header may name, as the reference Rust implementation
 * ({@code huggingface/safetensors}, {@code Dtype} in {@code tensor.rs}) spells them.
 *
 * <p>The constants are declared in the Rust enum's order, which is increasing alignment: the writer
 * sorts tensors by this order descending (then by name), as {@code safetensors::serialize} does, so
 * that every tensor starts at a multiple of its element size.
 *
 * <p>Sub-byte types ({@link #F4}, {@link #F6_E2M3}, {@link #F6_E3M2}) count elements in the shape, not
 * bytes: an F4 tensor of shape [n, k] holds n k / 2 bytes, and its element count must fill whole bytes.
 */
public enum SafetensorsDType {
    /** Boolean, one byte. */
    BOOL(8),
    /** FP4 E2M1, two elements a byte (torch {@code float4_e2m1fn_x2}). */
    F4(4),
    /** FP6 E2M3, packed four elements in three bytes. */
    F6_E2M3(6),
    /** FP6 E3M2, packed four elements in three bytes. */
    F6_E3M2(6),
    /** Unsigned 8-bit integer: packed E2M1 codes and E8M0 exponents in the checkpoints studied. */
    U8(8),
    /** Signed 8-bit integer. */
    I8(8),
    /** FP8 E5M2. */
    F8_E5M2(8),
    /** FP8 E4M3 "fn" (no infinities): NVFP4 block scales. */
    F8_E4M3(8),
    /** E8M0, the OCP MX power-of-two scale. */
    F8_E8M0(8),
    /** FP8 E4M3 "fnuz" (AMD). */
    F8_E4M3FNUZ(8),
    /** FP8 E5M2 "fnuz" (AMD). */
    F8_E5M2FNUZ(8),
    /** Signed 16-bit integer. */
    I16(16),
    /** Unsigned 16-bit integer. */
    U16(16),
    /** IEEE binary16. */
    F16(16),
    /** bfloat16. */
    BF16(16),
    /** Signed 32-bit integer. */
    I32(32),
    /** Unsigned 32-bit integer. */
    U32(32),
    /** IEEE binary32. */
    F32(32),
    /** Complex of two binary32. */
    C64(64),
    /** IEEE binary64. */
    F64(64),
    /** Signed 64-bit integer. */
    I64(64),
    /** Unsigned 64-bit integer. */
    U64(64);

    private final int bits;

    SafetensorsDType(int bits) {
        this.bits = bits;
    }

    /** Bits per element: 4, 6, 8, 16, 32 or 64. */
    public int bits() {
        return bits;
    }

    /** The header spelling of this type, or empty if {@code name} is not one (names are case-sensitive). */
    public static Optional<SafetensorsDType> fromHeaderName(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The float view type of a dense floating-point dtype (F32, BF16, F16), or empty. */
    public Optional<DType> floatType() {
        return switch (this) {
            case F32 -> Optional.of(DType.F32);
            case BF16 -> Optional.of(DType.BF16);
            case F16 -> Optional.of(DType.F16);
            default -> Optional.empty();
        };
    }

    /** The safetensors dtype of a dense float view type. */
    public static SafetensorsDType of(DType type) {
        return switch (type) {
            case F32 -> F32;
            case BF16 -> BF16;
            case F16 -> F16;
        };
    }

    /**
     * Bytes that {@code elements} elements take, or -1 if they do not fill whole bytes (rule 7,
     * {@code MisalignedSlice}).
     *
     * @throws ArithmeticException if the bit count overflows a long (rule 6, {@code ValidationOverflow})
     */
    public long byteSize(long elements) {
        long totalBits = Math.multiplyExact(elements, (long) bits);
        return totalBits % 8 == 0 ? totalBits / 8 : -1;
    }
}
