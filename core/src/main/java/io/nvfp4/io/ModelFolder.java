package io.nvfp4.io;

import io.nvfp4.io.SafetensorsFormatException.Rule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The weights of a Hugging Face model folder: one {@code model.safetensors}, or shards listed by
 * {@code model.safetensors.index.json}, or a single {@code .safetensors} file given directly.
 *
 * <p>Opening reads and validates every header (two small reads a file) and checks that the index and
 * the shards agree exactly; it maps no data. A tensor's file is mapped the first time one of its
 * tensors is asked for, so an inspector never maps anything. Thread-safe; {@link #close()} unmaps.
 *
 * <p>A folder with several {@code .safetensors} files and no index, or with one file named as one
 * shard of several ({@code model-00001-of-00003.safetensors}), is refused: that is an interrupted or
 * partial copy, not a model.
 *
 * <p>Tensor order ({@link #names()}) is the files' order (shard number), then each file's data order.
 */
public final class ModelFolder implements AutoCloseable {
    /** The shard index's file name. */
    public static final String INDEX = "model.safetensors.index.json";
    /** The single-file weights' file name. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** The model configuration's file name. */
    public static final String CONFIG = "config.json";
    private static final String EXTENSION = ".safetensors";
    /** A shard's name, {@code <stem>-00001-of-00003.safetensors}: shard number and count. */
    private static final Pattern SHARD_NAME = Pattern.compile(".*-(\\d{5})-of-(\\d{5})\\.safetensors");

    private final Path path;
    private final boolean folder;
    private final SafetensorsFile.Mode mode;
    private final Map<Path, SafetensorsHeader> headers;
    private final Map<String, Path> fileOf;
    private final List<String> names;
    private final Map<Path, SafetensorsFile> mapped = new HashMap<>();
    private boolean closed;

    private ModelFolder(Path path, boolean folder, SafetensorsFile.Mode mode, Map<Path, SafetensorsHeader> headers) {
        this.path = path;
        this.folder = folder;
        this.mode = mode;
        this.headers = Collections.unmodifiableMap(headers);
        Map<String, Path> owner = new LinkedHashMap<>();
        for (SafetensorsHeader h : headers.values()) {
            for (String name : h.names()) {
                owner.put(name, h.file());
            }
        }
        this.fileOf = Collections.unmodifiableMap(owner);
        this.names = List.copyOf(owner.keySet());
    }

    /** Opens a folder or a single {@code .safetensors} file in {@link SafetensorsFile.Mode#STRICT} mode. */
    public static ModelFolder open(Path path) throws IOException {
        return open(path, SafetensorsFile.Mode.STRICT);
    }

    /**
     * Opens a model folder or a single {@code .safetensors} file and validates every header.
     *
     * @throws SafetensorsFormatException if a header, or the index against the headers, breaks a rule
     * @throws IOException                if the path holds no weights or cannot be read
     */
    public static ModelFolder open(Path path, SafetensorsFile.Mode mode) throws IOException {
        if (Files.isRegularFile(path)) {
            Map<Path, SafetensorsHeader> headers = new LinkedHashMap<>();
            headers.put(path, SafetensorsFile.readHeader(path, mode));
            return new ModelFolder(path, false, mode, headers);
        }
        if (!Files.isDirectory(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file or folder");
        }
        Path index = path.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            return new ModelFolder(path, true, mode, readIndexed(path, index, mode));
        }
        Path single = path.resolve(SINGLE_FILE);
        List<Path> candidates;
        if (Files.isRegularFile(single)) {
            candidates = List.of(single);
        } else {
            candidates = safetensorsFiles(path);
        }
        if (candidates.isEmpty()) {
            throw new IOException(path + ": no .safetensors files in this folder");
        }
        if (candidates.size() > 1) {
            throw new IOException(path + ": " + candidates.size() + " .safetensors files but no " + INDEX
                    + " to say which tensors they hold (an interrupted or partial copy?)");
        }
        Matcher shard = SHARD_NAME.matcher(candidates.getFirst().getFileName().toString());
        if (shard.matches() && Integer.parseInt(shard.group(2)) > 1) {
            throw new IOException(path + ": " + candidates.getFirst().getFileName() + " is one shard of "
                    + Integer.parseInt(shard.group(2)) + " but there is no " + INDEX + " (an interrupted or partial copy?)");
        }
        Map<Path, SafetensorsHeader> headers = new LinkedHashMap<>();
        headers.put(candidates.getFirst(), SafetensorsFile.readHeader(candidates.getFirst(), mode));
        return new ModelFolder(path, true, mode, headers);
    }

    /** The visible {@code .safetensors} files directly in {@code folder}, by name. */
    private static List<Path> safetensorsFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(EXTENSION))
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
    }

    private static Map<Path, SafetensorsHeader> readIndexed(Path folder, Path index, SafetensorsFile.Mode mode)
            throws IOException {
        Map<String, Object> json;
        try {
            json = Json.parseObject(index);
        } catch (IOException e) {
            throw new SafetensorsFormatException(index, null, Rule.INVALID_INDEX, e.getMessage(), e);
        }
        if (!(json.get("weight_map") instanceof Map<?, ?> map)) {
            throw new SafetensorsFormatException(index, null, Rule.INVALID_INDEX, "no \"weight_map\" object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String tensor = (String) e.getKey();
            if (!(e.getValue() instanceof String file)) {
                throw new SafetensorsFormatException(index, tensor, Rule.INVALID_INDEX,
                        "the weight_map value must be a file name, found " + Json.typeName(e.getValue()));
            }
            if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals("..") || file.equals(".")) {
                throw new SafetensorsFormatException(index, tensor, Rule.INVALID_INDEX,
                        "the weight_map names '" + file + "', which is not a file name in this folder");
            }
            weightMap.put(tensor, file);
        }
        Map<Path, SafetensorsHeader> headers = new LinkedHashMap<>();
        for (String file : new TreeSet<>(weightMap.values())) {
            Path shard = folder.resolve(file);
            if (!Files.isRegularFile(shard)) {
                throw new SafetensorsFormatException(index, null, Rule.INVALID_INDEX,
                        "the weight_map names " + file + ", which is missing");
            }
            headers.put(shard, SafetensorsFile.readHeader(shard, mode));
        }
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            SafetensorsHeader h = headers.get(folder.resolve(e.getValue()));
            if (!h.contains(e.getKey())) {
                throw new SafetensorsFormatException(index, e.getKey(), Rule.INVALID_INDEX,
                        "the weight_map puts the tensor in " + e.getValue() + ", which does not hold it");
            }
        }
        for (SafetensorsHeader h : headers.values()) {
            String file = h.file().getFileName().toString();
            for (String name : h.names()) {
                String listed = weightMap.get(name);
                if (!file.equals(listed)) {
                    throw new SafetensorsFormatException(index, name, Rule.INVALID_INDEX, file + " holds the tensor but "
                            + (listed == null ? "the weight_map does not list it" : "the weight_map puts it in " + listed));
                }
            }
        }
        return headers;
    }

    /** The path given to {@link #open}: a folder, or a single file. */
    public Path path() {
        return path;
    }

    /** Whether {@link #path()} is a folder (else a single file, with no config or other files). */
    public boolean isFolder() {
        return folder;
    }

    /** The header-reading mode. */
    public SafetensorsFile.Mode mode() {
        return mode;
    }

    /** The safetensors files, in order. */
    public List<Path> files() {
        return List.copyOf(headers.keySet());
    }

    /** The validated header of one of {@link #files()}. */
    public SafetensorsHeader header(Path file) {
        SafetensorsHeader h = headers.get(file);
        if (h == null) {
            throw new IllegalArgumentException(file + " is not one of " + path + "'s weight files");
        }
        return h;
    }

    /** Every tensor name, in file order and then data order. */
    public List<String> names() {
        return names;
    }

    /** Whether some file holds a tensor called {@code name}. */
    public boolean contains(String name) {
        return fileOf.containsKey(name);
    }

    /** The header entry of tensor {@code name}. @throws IllegalArgumentException if there is none */
    public TensorInfo info(String name) {
        return headers.get(file(name)).tensor(name).orElseThrow();
    }

    /** The header entry of tensor {@code name}, if present. */
    public Optional<TensorInfo> find(String name) {
        Path file = fileOf.get(name);
        return file == null ? Optional.empty() : headers.get(file).tensor(name);
    }

    /** The file that holds tensor {@code name}. @throws IllegalArgumentException if none does */
    public Path file(String name) {
        Path file = fileOf.get(name);
        if (file == null) {
            throw new IllegalArgumentException(path + " has no tensor '" + name + "'");
        }
        return file;
    }

    /**
     * A zero-copy view of tensor {@code name}, mapping its file on first use.
     *
     * @throws IllegalArgumentException if there is no such tensor
     * @throws IllegalStateException    if the folder is closed
     */
    public Tensor tensor(String name) throws IOException {
        return mapped(file(name)).tensor(name);
    }

    /** The mapped file, opened on first use. */
    public synchronized SafetensorsFile mapped(Path file) throws IOException {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        SafetensorsFile f = mapped.get(file);
        if (f == null) {
            header(file); // checks it is one of ours
            f = SafetensorsFile.open(file, mode);
            mapped.put(file, f);
        }
        return f;
    }

    /** Bytes of tensor data over all files. */
    public long totalSize() {
        return headers.values().stream().mapToLong(SafetensorsHeader::dataSize).sum();
    }

    /** The folder's {@code config.json} as a JSON object, if it has one. */
    public Optional<Map<String, Object>> config() throws IOException {
        if (!folder) {
            return Optional.empty();
        }
        Path config = path.resolve(CONFIG);
        return Files.isRegularFile(config) ? Optional.of(Json.parseObject(config)) : Optional.empty();
    }

    /** The {@code __metadata__} of the first file (shards of one model normally share it). */
    public Map<String, String> metadata() {
        return headers.values().iterator().next().metadata();
    }

    /** Unmaps every mapped file. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        List<SafetensorsFile> files = new ArrayList<>(mapped.values());
        mapped.clear();
        files.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "ModelFolder[" + path + ", " + headers.size() + " files, " + names.size() + " tensors]";
    }
}
