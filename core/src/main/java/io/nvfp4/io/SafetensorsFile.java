package io.nvfp4.io;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A safetensors file, memory-mapped and validated: tensors are zero-copy, read-only
 * {@link MemorySegment} slices of the mapping, with {@code long} offsets, so files and tensors larger
 * than 2 GB need no copy and no heap.
 *
 * <p>Opening validates the header as strictly as the reference Rust reader (rules 1 to 9 of
 * {@code SafeTensors::read_metadata}: header length bound, UTF-8, JSON schema, contiguous offsets
 * without holes or overlaps, byte sizes with overflow checks, no trailing bytes) and additionally
 * rejects duplicate keys, unknown dtypes, more than {@link #MAX_TENSORS} tensors and names longer
 * than {@link #MAX_NAME_LENGTH}. Each violation is a {@link SafetensorsFormatException}.
 *
 * <p>The mapping lives in a shared arena: views may be read from any thread, and {@link #close()}
 * unmaps the file at once, after which reading a view throws {@link IllegalStateException} (never a
 * crash). Instances are thread-safe.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The header key that holds the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /** The largest header accepted: the Rust reader's {@code MAX_HEADER_SIZE}. */
    public static final long MAX_HEADER_SIZE = 100_000_000;
    /** The most tensors one file may hold, a bound on memory; the largest shards seen hold a few thousand. */
    public static final int MAX_TENSORS = 1 << 20;
    /** The longest tensor name accepted, in UTF-16 characters. */
    public static final int MAX_NAME_LENGTH = 4096;

    /** How strictly a header is read. */
    public enum Mode {
        /**
         * The format as written down: the header starts with <code>'{'</code>, is padded with spaces only,
         * and tensor entries have no keys besides {@code dtype}, {@code shape}, {@code data_offsets}.
         */
        STRICT,
        /**
         * What the Rust reader accepts besides: leading and trailing JSON whitespace and unknown keys
         * in tensor entries (ignored). Every other rule still holds.
         */
        LENIENT
    }

    private final Path path;
    private final SafetensorsHeader header;
    private final Arena arena;
    private final MemorySegment data;

    private SafetensorsFile(Path path, SafetensorsHeader header, Arena arena, MemorySegment data) {
        this.path = path;
        this.header = header;
        this.arena = arena;
        this.data = data;
    }

    /** Opens and maps {@code path} in {@link Mode#STRICT} mode. */
    public static SafetensorsFile open(Path path) throws IOException {
        return open(path, Mode.STRICT);
    }

    /**
     * Opens, validates and maps {@code path}.
     *
     * @throws SafetensorsFormatException if the file breaks a rule of the format
     * @throws IOException                if it cannot be read or mapped
     */
    public static SafetensorsFile open(Path path, Mode mode) throws IOException {
        Objects.requireNonNull(mode, "mode");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            SafetensorsHeader header = readHeader(path, ch, mode);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, header.fileSize(), arena);
                return new SafetensorsFile(path, header, arena, mapped.asSlice(header.dataOffset()).asReadOnly());
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    /** Reads and validates the header of {@code path} in {@link Mode#STRICT} mode, without mapping. */
    public static SafetensorsHeader readHeader(Path path) throws IOException {
        return readHeader(path, Mode.STRICT);
    }

    /**
     * Reads and validates the header of {@code path} with two reads (8 bytes, then N), without mapping
     * the data: what an inspector needs, and cheap on files of any size.
     *
     * @throws SafetensorsFormatException if the header breaks a rule of the format
     */
    public static SafetensorsHeader readHeader(Path path, Mode mode) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(path, ch, mode);
        }
    }

    private static SafetensorsHeader readHeader(Path path, FileChannel ch, Mode mode) throws IOException {
        long size = ch.size();
        ByteBuffer first8 = ByteBuffer.allocate(8);
        if (size >= 8) {
            readFully(ch, first8, 0);
        }
        long n = HeaderParser.headerLength(path, first8, size);
        ByteBuffer header = ByteBuffer.allocate((int) n); // n <= MAX_HEADER_SIZE < 2^31
        readFully(ch, header, 8);
        return HeaderParser.parse(path, header.array(), size, mode);
    }

    private static void readFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = ch.read(buffer, at);
            if (read < 0) {
                throw new EOFException("unexpected end of file at byte " + at);
            }
            at += read;
        }
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** The validated header. */
    public SafetensorsHeader header() {
        return header;
    }

    /** The whole data buffer, read-only (tensor offsets are relative to it). */
    public MemorySegment data() {
        return data;
    }

    /** Whether the file has a tensor called {@code name}. */
    public boolean contains(String name) {
        return header.contains(name);
    }

    /**
     * A zero-copy view of the tensor called {@code name}.
     *
     * @throws IllegalArgumentException if there is none
     */
    public Tensor tensor(String name) {
        TensorInfo info = header.tensor(name).orElseThrow(
                () -> new IllegalArgumentException(path + " has no tensor '" + name + "'"));
        return tensor(info);
    }

    /** A zero-copy view of a tensor of this file's header. */
    public Tensor tensor(TensorInfo info) {
        return new Tensor(info, data.asSlice(info.begin(), info.byteSize()));
    }

    /** Unmaps the file; views taken from it become unreadable. Idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + header.size() + " tensors]";
    }
}
