package io.nvfp4.io.onnx;

import io.nvfp4.format.BF16;
import io.nvfp4.format.FP16;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An initializer of an ONNX graph: name, element type, shape and data. The data is little-endian raw
 * storage, whatever field of the file held it ({@code raw_data}, a typed field such as
 * {@code float_data}, or an external file): a read-only slice of the model file (no copy) for raw
 * and external data, a converted copy for typed fields.
 */
public final class OnnxTensor {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final OnnxDataType dataType;
    private final long[] dims;
    private final long elementCount;
    private final MemorySegment data; // null for STRING tensors

    OnnxTensor(String name, OnnxDataType dataType, long[] dims, long elementCount, MemorySegment data) {
        this.name = name;
        this.dataType = dataType;
        this.dims = dims.clone();
        this.elementCount = elementCount;
        this.data = data == null ? null : data.asReadOnly();
    }

    /** The initializer's name, as graph nodes refer to it. */
    public String name() {
        return name;
    }

    /** The element type. */
    public OnnxDataType dataType() {
        return dataType;
    }

    /** The shape, outermost dimension first (a copy); empty for a scalar. */
    public long[] dims() {
        return dims.clone();
    }

    /** The number of elements: the product of the dimensions, 1 for a scalar. */
    public long elementCount() {
        return elementCount;
    }

    /**
     * The raw little-endian data, read-only, exactly {@code dataType().byteSize(elementCount())} bytes.
     *
     * @throws IllegalStateException for a {@link OnnxDataType#STRING} tensor, which has no raw form
     */
    public MemorySegment data() {
        if (data == null) {
            throw new IllegalStateException("tensor '" + name + "' holds strings, which have no raw data");
        }
        return data;
    }

    /**
     * The elements converted to float (exactly for FLOAT, FLOAT16 and BFLOAT16; rounded for DOUBLE and
     * wide integers), row-major.
     *
     * @throws IllegalStateException if the type is not {@linkplain OnnxDataType#isNumeric() numeric} or
     *                               the tensor has more elements than a Java array holds
     */
    public float[] toFloatArray() {
        MemorySegment d = requireNumeric();
        int n = arrayLength();
        float[] out = new float[n];
        if (dataType == OnnxDataType.FLOAT) {
            MemorySegment.copy(d, F32, 0, out, 0, n);
            return out;
        }
        for (int i = 0; i < n; i++) {
            out[i] = switch (dataType) {
                case FLOAT16 -> FP16.toFloat(d.get(I16, 2L * i));
                case BFLOAT16 -> BF16.toFloat(d.get(I16, 2L * i));
                case DOUBLE -> (float) d.get(F64, 8L * i);
                default -> (float) integer(d, i);
            };
        }
        return out;
    }

    /**
     * The elements as longs, row-major: integer and boolean types only (UINT64 above 2^63 wraps, as in
     * Java's unsigned arithmetic).
     *
     * @throws IllegalStateException for floating-point and other non-integer types
     */
    public long[] toLongArray() {
        MemorySegment d = requireNumeric();
        if (dataType == OnnxDataType.FLOAT || dataType == OnnxDataType.DOUBLE || dataType == OnnxDataType.FLOAT16
                || dataType == OnnxDataType.BFLOAT16) {
            throw new IllegalStateException("tensor '" + name + "' is " + dataType + ", not an integer type");
        }
        int n = arrayLength();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = integer(d, i);
        }
        return out;
    }

    /**
     * A zero-copy matrix view of a rank-2 FLOAT, FLOAT16 or BFLOAT16 tensor: rows = dims[0],
     * columns = dims[1].
     *
     * @throws IllegalStateException if the tensor is not a 2-D matrix of one of those types
     */
    public FloatMatrix asFloatMatrix() {
        DType dtype = switch (dataType) {
            case FLOAT -> DType.F32;
            case FLOAT16 -> DType.F16;
            case BFLOAT16 -> DType.BF16;
            default -> throw new IllegalStateException("tensor '" + name + "' is " + dataType
                    + "; a float matrix needs FLOAT, FLOAT16 or BFLOAT16");
        };
        if (dims.length != 2 || dims[0] == 0 || dims[1] == 0) {
            throw new IllegalStateException("tensor '" + name + "' has shape " + Arrays.toString(dims)
                    + "; a matrix needs two non-zero dimensions");
        }
        return FloatMatrix.of(data, dtype, dims[0], dims[1]);
    }

    private MemorySegment requireNumeric() {
        if (!dataType.isNumeric()) {
            throw new IllegalStateException("tensor '" + name + "' is " + dataType
                    + ", which does not convert to numbers element by element");
        }
        return data;
    }

    private int arrayLength() {
        if (elementCount > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor '" + name + "' has " + elementCount
                    + " elements, more than a Java array holds");
        }
        return (int) elementCount;
    }

    private long integer(MemorySegment d, int i) {
        return switch (dataType) {
            case UINT8, BOOL -> d.get(ValueLayout.JAVA_BYTE, i) & 0xFFL;
            case INT8 -> d.get(ValueLayout.JAVA_BYTE, i);
            case UINT16 -> d.get(I16, 2L * i) & 0xFFFFL;
            case INT16 -> d.get(I16, 2L * i);
            case INT32 -> d.get(I32, 4L * i);
            case UINT32 -> d.get(I32, 4L * i) & 0xFFFF_FFFFL;
            case INT64, UINT64 -> d.get(I64, 8L * i);
            default -> throw new IllegalStateException("tensor '" + name + "' is " + dataType + ", not an integer type");
        };
    }

    @Override
    public String toString() {
        return "OnnxTensor[" + name + ", " + dataType + " " + Arrays.toString(dims) + "]";
    }
}
