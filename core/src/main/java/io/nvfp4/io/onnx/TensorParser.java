package io.nvfp4.io.onnx;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code TensorProto} messages into {@link OnnxTensor}s: the shape, the type, and the data from
 * whichever of its homes the file uses. Raw and external data are sliced, not copied; typed fields
 * ({@code float_data}, {@code int32_data}, ...), packed or not, are converted to the same raw
 * little-endian layout, following the rules of {@code onnx.proto} for which field may hold which type.
 * One parser serves one model: it maps each external data file once.
 */
final class TensorParser {
    /** TensorProto fields. */
    private static final int DIMS = 1;
    private static final int DATA_TYPE = 2;
    private static final int SEGMENT = 3;
    private static final int FLOAT_DATA = 4;
    private static final int INT32_DATA = 5;
    private static final int STRING_DATA = 6;
    private static final int INT64_DATA = 7;
    private static final int NAME = 8;
    private static final int RAW_DATA = 9;
    private static final int DOUBLE_DATA = 10;
    private static final int UINT64_DATA = 11;
    private static final int EXTERNAL_DATA = 13;
    private static final int DATA_LOCATION = 14;
    private static final int LOCATION_EXTERNAL = 1;

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final Path folder;
    private final Map<Path, MemorySegment> externalFiles = new HashMap<>();

    TensorParser(String source, Path externalDataFolder) {
        this.source = source;
        this.folder = externalDataFolder == null ? null : externalDataFolder.toAbsolutePath().normalize();
    }

    String source() {
        return source;
    }

    /** One value of a typed data field: a packed run (a slice) or a single unpacked scalar. */
    private record Chunk(int field, MemorySegment packed, long scalar) {}

    /** Parses the {@code index}-th initializer. */
    OnnxTensor parse(ProtoReader r, int index) throws IOException {
        long start = r.position();
        String name = null;
        try {
            List<Long> dims = new ArrayList<>();
            int typeCode = 0;
            MemorySegment raw = null;
            List<Chunk> typed = new ArrayList<>();
            Map<String, String> external = new HashMap<>();
            boolean externalLocation = false;
            boolean strings = false;
            while (r.hasMore()) {
                long at = r.position();
                int field = r.readTag();
                switch (field) {
                    case DIMS -> readInts(r, dims);
                    case DATA_TYPE -> typeCode = OnnxModel.expect(r, ProtoReader.VARINT, "data_type", at).readInt32();
                    case NAME -> name = OnnxModel.expect(r, ProtoReader.LEN, "name", at).readString();
                    case RAW_DATA -> raw = OnnxModel.expect(r, ProtoReader.LEN, "raw_data", at).readBytes();
                    case FLOAT_DATA, INT32_DATA, INT64_DATA, DOUBLE_DATA, UINT64_DATA -> typed.add(readChunk(r, field));
                    case STRING_DATA -> {
                        strings = true;
                        r.skip();
                    }
                    case SEGMENT -> throw r.error(at, "a segmented tensor (TensorProto.segment), which no exporter"
                            + " writes and this reader does not support");
                    case EXTERNAL_DATA -> readEntry(OnnxModel.expect(r, ProtoReader.LEN, "external_data", at)
                            .readMessage(), external);
                    case DATA_LOCATION -> externalLocation = OnnxModel.expect(r, ProtoReader.VARINT, "data_location", at)
                            .readInt32() == LOCATION_EXTERNAL;
                    default -> r.skip();
                }
            }
            if (name == null || name.isEmpty()) {
                throw new OnnxFormatException(source, null, start, "initializer #" + index + " has no name");
            }
            OnnxDataType type = OnnxDataType.ofCode(typeCode);
            if (type == null) {
                throw new OnnxFormatException(source, name, -1, "data type code " + typeCode + " is "
                        + (typeCode == 0 ? "UNDEFINED" : "not one this reader knows (ONNX codes 1 to 24)"));
            }
            long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
            long elements = elementCount(name, shape);
            if (type == OnnxDataType.STRING) {
                return new OnnxTensor(name, type, shape, elements, null);
            }
            if (strings) {
                throw new OnnxFormatException(source, name, -1, "string_data in a " + type + " tensor");
            }
            int homes = (raw != null ? 1 : 0) + (typed.isEmpty() ? 0 : 1) + (externalLocation ? 1 : 0);
            if (homes > 1) {
                throw new OnnxFormatException(source, name, -1, "data in more than one of raw_data, a typed field"
                        + " and external data");
            }
            long bytes = type.byteSize(elements);
            MemorySegment data;
            if (externalLocation) {
                data = external(name, external, bytes);
            } else if (raw != null) {
                if (raw.byteSize() != bytes) {
                    throw new OnnxFormatException(source, name, -1, "raw_data holds " + raw.byteSize() + " bytes; "
                            + type + " " + java.util.Arrays.toString(shape) + " needs " + bytes);
                }
                data = raw;
            } else if (!typed.isEmpty()) {
                data = convert(name, type, elements, typed);
            } else if (elements == 0) {
                data = MemorySegment.ofArray(new byte[0]);
            } else {
                throw new OnnxFormatException(source, name, -1, "no data: neither raw_data, a typed field nor"
                        + " external data");
            }
            return new OnnxTensor(name, type, shape, elements, data);
        } catch (OnnxFormatException e) {
            throw name == null ? e : e.inTensor(name);
        }
    }

    /** Repeated int64 {@code dims}: packed (one LEN field) or one varint per dimension. */
    private static void readInts(ProtoReader r, List<Long> out) throws OnnxFormatException {
        if (r.wireType() == ProtoReader.LEN) {
            ProtoReader packed = r.readMessage();
            while (packed.hasMore()) {
                out.add(packed.readVarint());
            }
        } else if (r.wireType() == ProtoReader.VARINT) {
            out.add(r.readVarint());
        } else {
            throw r.error(r.position(), "dims has wire type " + r.wireType());
        }
    }

    private static Chunk readChunk(ProtoReader r, int field) throws OnnxFormatException {
        int expected = switch (field) {
            case FLOAT_DATA -> ProtoReader.I32;
            case DOUBLE_DATA -> ProtoReader.I64;
            default -> ProtoReader.VARINT;
        };
        if (r.wireType() == ProtoReader.LEN) {
            return new Chunk(field, r.readBytes(), 0);
        }
        if (r.wireType() != expected) {
            throw r.error(r.position(), fieldName(field) + " has wire type " + r.wireType());
        }
        long value = switch (expected) {
            case ProtoReader.I32 -> r.readFixed32();
            case ProtoReader.I64 -> r.readFixed64();
            default -> r.readVarint();
        };
        return new Chunk(field, null, value);
    }

    /** A StringStringEntryProto: key (1), value (2). */
    private static void readEntry(ProtoReader r, Map<String, String> out) throws OnnxFormatException {
        String key = "";
        String value = "";
        while (r.hasMore()) {
            long at = r.position();
            switch (r.readTag()) {
                case 1 -> key = OnnxModel.expect(r, ProtoReader.LEN, "key", at).readString();
                case 2 -> value = OnnxModel.expect(r, ProtoReader.LEN, "value", at).readString();
                default -> r.skip();
            }
        }
        out.put(key, value);
    }

    private long elementCount(String name, long[] shape) throws OnnxFormatException {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new OnnxFormatException(source, name, -1, "negative dimension " + d);
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new OnnxFormatException(source, name, -1, "the element count overflows 64 bits");
            }
        }
        if (n > Long.MAX_VALUE / 16) {
            throw new OnnxFormatException(source, name, -1, n + " elements: too many to hold");
        }
        return n;
    }

    /**
     * Converts typed fields to raw little-endian data, per onnx.proto: float_data holds FLOAT and
     * COMPLEX64; int32_data every type of 16 bits or fewer and INT32 (4-bit types two to an entry,
     * as they pack in a byte); int64_data INT64; double_data DOUBLE and COMPLEX128; uint64_data
     * UINT32 and UINT64.
     */
    private MemorySegment convert(String name, OnnxDataType type, long elements, List<Chunk> chunks)
            throws OnnxFormatException {
        int field = chunks.getFirst().field();
        for (Chunk c : chunks) {
            if (c.field() != field) {
                throw new OnnxFormatException(source, name, -1, "data in both " + fieldName(field) + " and "
                        + fieldName(c.field()));
            }
        }
        boolean allowed = switch (field) {
            case FLOAT_DATA -> type == OnnxDataType.FLOAT || type == OnnxDataType.COMPLEX64;
            case INT64_DATA -> type == OnnxDataType.INT64;
            case DOUBLE_DATA -> type == OnnxDataType.DOUBLE || type == OnnxDataType.COMPLEX128;
            case UINT64_DATA -> type == OnnxDataType.UINT32 || type == OnnxDataType.UINT64;
            default -> type.bits() <= 16 || type == OnnxDataType.INT32;
        };
        if (!allowed) {
            throw new OnnxFormatException(source, name, -1, fieldName(field) + " cannot hold a " + type + " tensor");
        }
        // Bytes one entry of the field stands for: a 4-bit type's int32 entry is one byte of two elements.
        int entryBytes = switch (type) {
            case COMPLEX64 -> 4;
            case COMPLEX128 -> 8;
            case UINT4, INT4, FLOAT4E2M1 -> 1;
            default -> type.bits() / 8;
        };
        long bytes = type.byteSize(elements);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new OnnxFormatException(source, name, -1, bytes + " bytes of typed data: too large");
        }
        byte[] out = new byte[(int) bytes];
        MemorySegment dst = MemorySegment.ofArray(out);
        long written = 0;
        for (Chunk c : chunks) {
            if (c.packed() == null) {
                written = put(name, dst, written, entryBytes, c.scalar(), bytes);
            } else if (field == FLOAT_DATA || field == DOUBLE_DATA) {
                long n = c.packed().byteSize();
                if (n % entryBytes != 0 || n > bytes - written) {
                    throw countError(name, type, elements, field);
                }
                MemorySegment.copy(c.packed(), 0, dst, written, n); // packed fixed-width values are the raw layout
                written += n;
            } else {
                ProtoReader varints = new ProtoReader(c.packed(), 0, c.packed().byteSize(), source);
                while (varints.hasMore()) {
                    written = put(name, dst, written, entryBytes, varints.readVarint(), bytes);
                }
            }
        }
        if (written != bytes) {
            throw countError(name, type, elements, field);
        }
        return dst;
    }

    private long put(String name, MemorySegment dst, long at, int size, long value, long limit)
            throws OnnxFormatException {
        if (size > limit - at) {
            throw new OnnxFormatException(source, name, -1, "more typed values than the shape holds");
        }
        switch (size) {
            case 1 -> dst.set(ValueLayout.JAVA_BYTE, at, (byte) value);
            case 2 -> dst.set(I16, at, (short) value);
            case 4 -> dst.set(I32, at, (int) value);
            default -> dst.set(I64, at, value);
        }
        return at + size;
    }

    private OnnxFormatException countError(String name, OnnxDataType type, long elements, int field) {
        return new OnnxFormatException(source, name, -1, fieldName(field) + " does not hold exactly " + elements
                + " " + type + " elements");
    }

    private static String fieldName(int field) {
        return switch (field) {
            case FLOAT_DATA -> "float_data";
            case INT32_DATA -> "int32_data";
            case INT64_DATA -> "int64_data";
            case DOUBLE_DATA -> "double_data";
            case UINT64_DATA -> "uint64_data";
            default -> "field " + field;
        };
    }

    /**
     * The data of an external tensor: {@code length} bytes (all that follow {@code offset} if not
     * given) at {@code offset} of the file {@code location}, which must lie inside the model's folder.
     */
    private MemorySegment external(String name, Map<String, String> entries, long bytes) throws IOException {
        String location = entries.get("location");
        if (location == null || location.isEmpty()) {
            throw new OnnxFormatException(source, name, -1, "external data without a location");
        }
        if (folder == null) {
            throw new OnnxFormatException(source, name, -1, "the data is in an external file ('" + location
                    + "'), but the model was not read from a folder that could hold it; read the model with"
                    + " OnnxModel.read(Path)");
        }
        Path file = folder.resolve(location).normalize();
        if (Path.of(location).isAbsolute() || !file.startsWith(folder)) {
            throw new OnnxFormatException(source, name, -1, "external data location '" + location
                    + "' leaves the model's folder");
        }
        long offset = number(name, entries, "offset", 0);
        MemorySegment whole = externalFiles.get(file);
        if (whole == null) {
            if (!Files.isRegularFile(file)) {
                throw new OnnxFormatException(source, name, -1, "external data file " + file + " does not exist");
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), Arena.ofAuto());
            }
            externalFiles.put(file, whole);
        }
        long length = number(name, entries, "length", whole.byteSize() - Math.min(offset, whole.byteSize()));
        if (offset > whole.byteSize() || length > whole.byteSize() - offset) {
            throw new OnnxFormatException(source, name, -1, "external data [" + offset + ", " + (offset + length)
                    + ") runs past the end of " + file + " (" + whole.byteSize() + " bytes)");
        }
        if (length != bytes) {
            throw new OnnxFormatException(source, name, -1, "external data is " + length + " bytes, the shape and"
                    + " type need " + bytes);
        }
        return whole.asSlice(offset, length);
    }

    private long number(String name, Map<String, String> entries, String key, long absent) throws OnnxFormatException {
        String text = entries.get(key);
        if (text == null) {
            return absent;
        }
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new OnnxFormatException(source, name, -1, "external data " + key + " '" + text
                    + "' is not a non-negative integer");
        }
    }
}
