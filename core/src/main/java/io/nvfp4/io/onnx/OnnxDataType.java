package io.nvfp4.io.onnx;

/**
 * The element types of ONNX tensors ({@code TensorProto.DataType}), with their codes and storage
 * sizes. Sizes are in bits so that the 4-bit types, packed two to a byte with the first element in
 * the low nibble, fit the same arithmetic.
 */
public enum OnnxDataType {
    /** IEEE binary32. */
    FLOAT(1, 32),
    /** Unsigned 8-bit integer. */
    UINT8(2, 8),
    /** Signed 8-bit integer. */
    INT8(3, 8),
    /** Unsigned 16-bit integer. */
    UINT16(4, 16),
    /** Signed 16-bit integer. */
    INT16(5, 16),
    /** Signed 32-bit integer. */
    INT32(6, 32),
    /** Signed 64-bit integer. */
    INT64(7, 64),
    /** UTF-8 strings: no fixed size, not supported by this reader. */
    STRING(8, 0),
    /** One byte per element, 0 or 1. */
    BOOL(9, 8),
    /** IEEE binary16. */
    FLOAT16(10, 16),
    /** IEEE binary64. */
    DOUBLE(11, 64),
    /** Unsigned 32-bit integer. */
    UINT32(12, 32),
    /** Unsigned 64-bit integer. */
    UINT64(13, 64),
    /** Two binary32 values, real part first. */
    COMPLEX64(14, 64),
    /** Two binary64 values, real part first. */
    COMPLEX128(15, 128),
    /** bfloat16: the upper half of a binary32. */
    BFLOAT16(16, 16),
    /** FP8 E4M3 without infinities (OCP). */
    FLOAT8E4M3FN(17, 8),
    /** FP8 E4M3 without infinities or negative zero. */
    FLOAT8E4M3FNUZ(18, 8),
    /** FP8 E5M2 (OCP). */
    FLOAT8E5M2(19, 8),
    /** FP8 E5M2 without infinities or negative zero. */
    FLOAT8E5M2FNUZ(20, 8),
    /** Unsigned 4-bit integer, two to a byte. */
    UINT4(21, 4),
    /** Signed 4-bit integer, two to a byte. */
    INT4(22, 4),
    /** FP4 E2M1, the NVFP4 and MXFP4 element, two to a byte. */
    FLOAT4E2M1(23, 4),
    /** E8M0, the MX block scale: a power of two. */
    FLOAT8E8M0(24, 8);

    private final int code;
    private final int bits;

    OnnxDataType(int code, int bits) {
        this.code = code;
        this.bits = bits;
    }

    /** The {@code TensorProto.DataType} code. */
    public int code() {
        return code;
    }

    /** Bits per element; 0 for {@link #STRING}, which has no fixed size. */
    public int bits() {
        return bits;
    }

    /** Bytes that {@code elements} elements take in raw little-endian storage (4-bit types round up). */
    public long byteSize(long elements) {
        return Math.ceilDiv(Math.multiplyExact(elements, (long) bits), 8L);
    }

    /** Whether {@link OnnxTensor#toFloatArray()} can convert it: IEEE floats, bfloat16 and the integers. */
    public boolean isNumeric() {
        return switch (this) {
            case FLOAT, DOUBLE, FLOAT16, BFLOAT16, UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64, BOOL -> true;
            default -> false;
        };
    }

    /** The type with {@code code}, or null when ONNX defines none (or defined it after this reader). */
    public static OnnxDataType ofCode(int code) {
        for (OnnxDataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
