package io.nvfp4.io.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the protobuf wire format (https://protobuf.dev/programming-guides/encoding/) from a range of a
 * memory segment: tags, varints, fixed 32- and 64-bit values and length-delimited fields, which are
 * returned as slices without copying. Every read is checked against the range's end, so a truncated
 * or corrupt file gives an {@link OnnxFormatException} with the offset, never an index error or a
 * runaway allocation.
 *
 * <p>This is all ONNX needs of protobuf: the schema lives in {@link OnnxModel}, which asks for the
 * fields it knows and {@linkplain #skip skips} the rest, as protobuf requires of a reader that meets
 * fields from a newer schema.
 */
final class ProtoReader {
    /** Wire types (the low three bits of a tag). Groups (3 and 4) were deprecated before ONNX existed. */
    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;
    static final int I32 = 5;

    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment data;
    private final String source;
    private final long limit;
    private long position;
    private int wireType = -1;

    /** A reader of {@code data[from, to)}; offsets in errors count from the start of {@code data}. */
    ProtoReader(MemorySegment data, long from, long to, String source) {
        this.data = data;
        this.source = source;
        this.position = from;
        this.limit = to;
    }

    /** Whether a field is left before the end of the range. */
    boolean hasMore() {
        return position < limit;
    }

    /** The current offset from the start of the data. */
    long position() {
        return position;
    }

    /**
     * Reads the next tag and returns its field number; {@link #wireType()} then tells how the value is
     * encoded.
     */
    int readTag() throws OnnxFormatException {
        long at = position;
        long tag = readVarint();
        int type = (int) (tag & 7);
        long field = tag >>> 3;
        if (field < 1 || field > 0x1FFF_FFFF) {
            throw error(at, "field number " + field + " is not a valid protobuf field number: not a protobuf message");
        }
        if (type != VARINT && type != I64 && type != LEN && type != I32) {
            throw error(at, "wire type " + type + " of field " + field + (type == 3 || type == 4
                    ? " is a protobuf group, which ONNX does not use" : " does not exist") + ": not an ONNX message");
        }
        wireType = type;
        return (int) field;
    }

    /** The wire type of the field whose tag was read last. */
    int wireType() {
        return wireType;
    }

    /** Reads a base-128 varint of at most ten bytes, as protobuf writes every integer that is not fixed. */
    long readVarint() throws OnnxFormatException {
        long at = position;
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= limit) {
                throw error(at, "truncated varint: the data ends inside it");
            }
            int b = data.get(ValueLayout.JAVA_BYTE, position++) & 0xFF;
            if (shift == 63 && b > 1) {
                throw error(at, "bad varint: more than 64 bits");
            }
            value |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return value;
            }
        }
        throw error(at, "bad varint: longer than 10 bytes");
    }

    /** Reads a varint field that must fit an int (an enum, a 32-bit integer), as protobuf truncates it. */
    int readInt32() throws OnnxFormatException {
        return (int) readVarint();
    }

    /** Reads a little-endian 32-bit value (wire type I32). */
    int readFixed32() throws OnnxFormatException {
        require(4, "a 4-byte value");
        int v = data.get(I32_LE, position);
        position += 4;
        return v;
    }

    /** Reads a little-endian 64-bit value (wire type I64). */
    long readFixed64() throws OnnxFormatException {
        require(8, "an 8-byte value");
        long v = data.get(I64_LE, position);
        position += 8;
        return v;
    }

    /** Reads a length-delimited field's bytes as a slice of the data (no copy). */
    MemorySegment readBytes() throws OnnxFormatException {
        long length = readLength();
        MemorySegment slice = data.asSlice(position, length);
        position += length;
        return slice;
    }

    /** Reads a length-delimited field as a reader of its own range: an embedded message or a packed array. */
    ProtoReader readMessage() throws OnnxFormatException {
        long length = readLength();
        ProtoReader inner = new ProtoReader(data, position, position + length, source);
        position += length;
        return inner;
    }

    /** Reads a length-delimited field as UTF-8 text. */
    String readString() throws OnnxFormatException {
        long at = position;
        MemorySegment bytes = readBytes();
        if (bytes.byteSize() > Integer.MAX_VALUE - 8) {
            throw error(at, "a string of " + bytes.byteSize() + " bytes");
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toArray(ValueLayout.JAVA_BYTE));
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(buffer).toString();
        } catch (CharacterCodingException e) {
            throw error(at, "a string field is not valid UTF-8");
        }
    }

    /** Skips the value of the field whose tag was read last. */
    void skip() throws OnnxFormatException {
        switch (wireType) {
            case VARINT -> readVarint();
            case I64 -> skipBytes(8);
            case I32 -> skipBytes(4);
            case LEN -> skipBytes(readLength());
            default -> throw new IllegalStateException("no tag read");
        }
    }

    /** An error at {@code offset} in this reader's source. */
    OnnxFormatException error(long offset, String detail) {
        return new OnnxFormatException(source, null, offset, detail);
    }

    private long readLength() throws OnnxFormatException {
        long at = position;
        long length = readVarint();
        if (length < 0 || length > limit - position) {
            throw error(at, "length " + Long.toUnsignedString(length) + " runs past the end of its message ("
                    + (limit - position) + " bytes left): the file is truncated or corrupt");
        }
        return length;
    }

    private void skipBytes(long n) throws OnnxFormatException {
        require(n, n + " bytes");
        position += n;
    }

    private void require(long n, String what) throws OnnxFormatException {
        if (n > limit - position) {
            throw error(position, "truncated: " + what + " needed, " + (limit - position) + " bytes left");
        }
    }
}
