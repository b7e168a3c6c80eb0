package io.nvfp4.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated header of one safetensors file: its tensors in data order, the string-to-string
 * {@code __metadata__}, and where the data buffer starts. Immutable; made by
 * {@link SafetensorsFile#readHeader} and {@link SafetensorsFile#open}.
 */
public final class SafetensorsHeader {
    private final Path file;
    private final long headerLength;
    private final long fileSize;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;

    SafetensorsHeader(Path file, long headerLength, long fileSize, Map<String, String> metadata,
                      List<TensorInfo> tensorsInDataOrder) {
        this.file = file;
        this.headerLength = headerLength;
        this.fileSize = fileSize;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : tensorsInDataOrder) {
            byName.put(t.name(), t);
        }
        this.tensors = Collections.unmodifiableMap(byName);
    }

    /** The file this header was read from. */
    public Path file() {
        return file;
    }

    /** N, the header's length in bytes (padding included). */
    public long headerLength() {
        return headerLength;
    }

    /** Where the data buffer starts in the file: 8 + N. */
    public long dataOffset() {
        return 8 + headerLength;
    }

    /** The file's length in bytes. */
    public long fileSize() {
        return fileSize;
    }

    /** Bytes of tensor data (the file minus its header). */
    public long dataSize() {
        return fileSize - dataOffset();
    }

    /** The {@code __metadata__} map, in file order; empty if the header has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensors in the order of their data (the order the file stores them). */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    /** The tensor names, in data order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** The tensor called {@code name}, if the file has it. */
    public Optional<TensorInfo> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** Whether the file has a tensor called {@code name}. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The number of tensors. */
    public int size() {
        return tensors.size();
    }
}
