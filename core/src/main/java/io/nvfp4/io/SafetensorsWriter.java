package io.nvfp4.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Writes one safetensors file by streaming: the tensors are declared up front (their sizes fix the
 * header), then their bytes are written in any order, whole or in pieces, from any number of threads,
 * straight to a hidden temporary file in the target's folder. {@link #commit()} checks every byte was
 * written, flushes the file to the disk and renames it over the target atomically; {@link #close()}
 * without a commit deletes the temporary file. So the target never holds a partial file, and memory
 * stays independent of the file's size.
 *
 * <p>The layout is the reference Rust writer's ({@code safetensors::serialize}): tensors sorted by
 * dtype alignment, largest first, then by name, so each starts at a multiple of its element size; a
 * compact JSON header ({@code __metadata__} first when there is any) padded with spaces to a multiple
 * of 8 bytes, so the data buffer starts 8-byte aligned.
 *
 * <pre>{@code
 * try (SafetensorsWriter w = SafetensorsWriter.create(path, specs, Map.of("format", "pt"))) {
 *     w.write("a", segmentA);
 *     w.write("b", segmentB);
 *     w.commit();
 * }
 * }</pre>
 */
public final class SafetensorsWriter implements AutoCloseable {
    /** Bytes handed to one positional write: a ByteBuffer view of a segment is limited to 2^31 - 1. */
    private static final long MAX_WRITE = 1L << 30;
    /** Bytes copied at a time from a heap segment a ByteBuffer cannot view (one over a float[], say). */
    private static final long COPY_PIECE = 1L << 20;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final long dataOffset;
    private final Map<String, Integer> index = new HashMap<>();
    private final List<TensorInfo> layout;
    private final AtomicLongArray written;
    private boolean committed;
    private boolean closed;

    private SafetensorsWriter(Path target, Path temp, FileChannel channel, long dataOffset, List<TensorInfo> layout) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.dataOffset = dataOffset;
        this.layout = layout;
        this.written = new AtomicLongArray(layout.size());
        for (int i = 0; i < layout.size(); i++) {
            index.put(layout.get(i).name(), i);
        }
    }

    /**
     * Starts a file at {@code target} holding {@code tensors}, and writes its header to the temporary file.
     *
     * @param metadata the header's {@code __metadata__} (omitted when empty)
     * @throws IllegalArgumentException if two tensors share a name
     */
    public static SafetensorsWriter create(Path target, Collection<TensorSpec> tensors, Map<String, String> metadata)
            throws IOException {
        List<TensorInfo> layout = layout(tensors);
        byte[] header = header(layout, metadata);
        Path temp = AtomicFiles.temporarySibling(target);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(temp, StandardOpenOption.WRITE);
            ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(header.length).put(header).flip();
            writeFully(ch, prefix, 0);
            return new SafetensorsWriter(target, temp, ch, 8L + header.length, layout);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            AtomicFiles.discard(temp);
            throw e;
        }
    }

    /**
     * Where each tensor goes: the Rust writer's order (dtype alignment descending, then name) with
     * contiguous offsets from 0.
     *
     * @throws IllegalArgumentException if two tensors share a name
     */
    public static List<TensorInfo> layout(Collection<TensorSpec> tensors) {
        List<TensorSpec> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(TensorSpec::dtype, Comparator.reverseOrder())
                .thenComparing(TensorSpec::name));
        List<TensorInfo> layout = new ArrayList<>(sorted.size());
        long at = 0;
        String previous = null;
        for (TensorSpec s : sorted) {
            if (s.name().equals(previous)) {
                throw new IllegalArgumentException("two tensors are called '" + s.name() + "'");
            }
            layout.add(new TensorInfo(s.name(), s.dtype(), s.shape(), at, at + s.byteSize()));
            at += s.byteSize();
            previous = s.name();
        }
        return layout;
    }

    /** The header bytes for tensors laid out by {@link #layout}: compact JSON padded to a multiple of 8. */
    public static byte[] header(List<TensorInfo> layout, Map<String, String> metadata) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            json.put(SafetensorsFile.METADATA_KEY, new LinkedHashMap<>(metadata));
        }
        for (TensorInfo t : layout) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype().name());
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[] {t.begin(), t.end()});
            json.put(t.name(), entry);
        }
        byte[] compact = Json.write(json, Json.Style.COMPACT);
        int padded = Math.ceilDiv(compact.length, 8) * 8;
        byte[] header = Arrays.copyOf(compact, padded);
        Arrays.fill(header, compact.length, padded, (byte) ' ');
        return header;
    }

    /** The file this writer commits to. */
    public Path target() {
        return target;
    }

    /** The hidden temporary file the bytes go to until {@link #commit()}. */
    public Path temporaryFile() {
        return temp;
    }

    /** The tensors in file order, with their offsets. */
    public List<TensorInfo> tensors() {
        return List.copyOf(layout);
    }

    /** The header entry of tensor {@code name}. */
    public TensorInfo info(String name) {
        return layout.get(indexOf(name));
    }

    /** Writes all of tensor {@code name}'s bytes. */
    public void write(String name, MemorySegment data) throws IOException {
        TensorInfo t = info(name);
        if (data.byteSize() != t.byteSize()) {
            throw new IllegalArgumentException(name + " takes " + t.byteSize() + " bytes, got " + data.byteSize());
        }
        write(name, 0, data);
    }

    /**
     * Writes {@code chunk} at byte {@code offset} of tensor {@code name}. Pieces may come in any order and
     * from several threads; together they must cover the tensor exactly once.
     *
     * @throws IndexOutOfBoundsException if the piece runs outside the tensor
     * @throws IllegalStateException     if more bytes arrive than the tensor holds, or the writer is closed
     */
    public void write(String name, long offset, MemorySegment chunk) throws IOException {
        int i = indexOf(name);
        TensorInfo t = layout.get(i);
        Objects.checkFromIndexSize(offset, chunk.byteSize(), t.byteSize());
        if (closed || committed) {
            throw new IllegalStateException("writer for " + target + " is " + (committed ? "committed" : "closed"));
        }
        if (written.addAndGet(i, chunk.byteSize()) > t.byteSize()) {
            throw new IllegalStateException(name + ": more than its " + t.byteSize() + " bytes were written");
        }
        long position = dataOffset + t.begin() + offset;
        // A ByteBuffer can view native, mapped and byte[] segments; other heap arrays are copied.
        boolean viewable = chunk.heapBase().map(base -> base instanceof byte[]).orElse(true);
        long step = viewable ? MAX_WRITE : COPY_PIECE;
        for (long at = 0; at < chunk.byteSize(); at += step) {
            MemorySegment piece = chunk.asSlice(at, Math.min(step, chunk.byteSize() - at));
            ByteBuffer buffer = viewable ? piece.asByteBuffer() : ByteBuffer.wrap(piece.toArray(ValueLayout.JAVA_BYTE));
            writeFully(channel, buffer, position + at);
        }
    }

    /**
     * Finishes the file: checks every tensor is complete, flushes it to the disk and renames it over
     * the target atomically.
     *
     * @throws IllegalStateException if a tensor is incomplete (the temporary file is kept until close)
     */
    public void commit() throws IOException {
        if (closed || committed) {
            throw new IllegalStateException("writer for " + target + " is already " + (committed ? "committed" : "closed"));
        }
        for (int i = 0; i < layout.size(); i++) {
            TensorInfo t = layout.get(i);
            if (written.get(i) != t.byteSize()) {
                throw new IllegalStateException(target + ": tensor '" + t.name() + "' has " + written.get(i) + " of its "
                        + t.byteSize() + " bytes");
            }
        }
        channel.force(true);
        channel.close();
        AtomicFiles.moveIntoPlace(temp, target);
        committed = true;
        closed = true;
    }

    /** Abandons an uncommitted file: closes and deletes the temporary file. Idempotent. */
    @Override
    public void close() throws IOException {
        if (committed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } finally {
            AtomicFiles.discard(temp);
        }
    }

    private int indexOf(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw new IllegalArgumentException(target + " declares no tensor '" + name + "'");
        }
        return i;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += ch.write(buffer, at);
        }
    }
}
