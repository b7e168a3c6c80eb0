package io.nvfp4.io.checkpoint;

import io.nvfp4.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The output folder of a conversion or dequantization: made ready (refusing to clobber anything
 * unasked), given the input folder's other files (tokenizer, generation config, ...), and cleaned up
 * after a failure.
 */
final class OutputFolder {
    /** Weights in formats other than safetensors: copying them would ship the dense model alongside. */
    private static final List<String> OTHER_WEIGHT_EXTENSIONS =
            List.of(".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".gguf", ".onnx", ".safetensors");

    private OutputFolder() {}

    /**
     * Creates {@code output}, or checks it is an empty folder; with {@code overwrite}, empties it.
     *
     * @throws IOException if output is input, holds it, is a file, or is a non-empty folder without overwrite
     */
    static void prepare(Path output, boolean overwrite, Path input) throws IOException {
        Path out = real(output);
        Path in = real(input);
        if (out.equals(in) || in.startsWith(out)) {
            throw new IOException("the output folder " + output + " must be neither the input nor a folder holding it");
        }
        if (Files.exists(output, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(output)) {
                throw new IOException("the output " + output + " exists and is not a folder");
            }
            if (!isEmpty(output)) {
                if (!overwrite) {
                    throw new IOException("the output folder " + output + " is not empty");
                }
                clear(output);
            }
        } else {
            Files.createDirectories(output);
        }
    }

    /** Whether {@code folder} has no entries. */
    static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Deletes everything inside {@code folder} (symbolic links themselves, not their targets). */
    private static void clear(Path folder) throws IOException {
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(folder)) {
            entries = walk.filter(p -> !p.equals(folder)).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : entries) {
            Files.delete(p);
        }
    }

    private static Path real(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        return Files.exists(abs) ? abs.toRealPath() : abs;
    }

    /**
     * Copies the regular files directly in {@code input} to {@code output}, except safetensors and other
     * weight files, the names in {@code skip}, and temporary files; sub-folders are not copied. Each
     * copy is atomic.
     *
     * @param notes receives a line for each file or folder left out, and why
     * @return the names copied
     */
    static List<String> copyOtherFiles(Path input, Path output, Set<String> skip, List<String> notes) throws IOException {
        List<Path> entries;
        try (Stream<Path> list = Files.list(input)) {
            entries = list.sorted().toList();
        }
        List<String> copied = new ArrayList<>();
        for (Path p : entries) {
            String name = p.getFileName().toString();
            String lower = name.toLowerCase(Locale.ROOT);
            if (skip.contains(name) || AtomicFiles.isTemporary(p)) {
                continue;
            }
            if (Files.isDirectory(p)) {
                notes.add("not copied: the folder " + name + "/ (only the files of the model folder itself are copied)");
            } else if (OTHER_WEIGHT_EXTENSIONS.stream().anyMatch(lower::endsWith)) {
                if (!lower.endsWith(".safetensors")) {
                    notes.add("not copied: " + name + " (weights in another format)");
                }
            } else if (Files.isRegularFile(p)) {
                AtomicFiles.copy(p, output.resolve(name));
                copied.add(name);
            }
        }
        return copied;
    }

    /** Deletes the files a failed run created; a failure to delete one is added to {@code cause}. */
    static void deleteQuietly(List<Path> files, Throwable cause) {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
