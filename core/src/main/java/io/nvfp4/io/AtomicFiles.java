package io.nvfp4.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Files that appear whole or not at all: content goes to a hidden temporary file in the target's own
 * folder ({@code .NAME.<random>.tmp}), is flushed to the disk, and is then renamed over the target in
 * one atomic step. A crash leaves at most a temporary file, never a partial file under the final
 * name, and a reader that has the old file mapped keeps seeing the old content (safetensors PR #764).
 *
 * <p>Temporary files not yet renamed or discarded are deleted when the JVM shuts down (Ctrl-C, SIGTERM,
 * {@code System.exit}); only a hard kill leaves one behind, hidden and named {@code *.tmp}.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SUFFIX = ".tmp";
    /** Temporary files in use, deleted by a shutdown hook if the JVM exits before they are renamed. */
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    private AtomicFiles() {}

    /** Writes {@code bytes} to {@code target} atomically, replacing any existing file. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path temp = temporarySibling(target);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            moveIntoPlace(temp, target);
        } finally {
            discard(temp);
        }
    }

    /** Copies {@code source} to {@code target} atomically, replacing any existing file. */
    public static void copy(Path source, Path target) throws IOException {
        Path temp = temporarySibling(target);
        try {
            Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            moveIntoPlace(temp, target);
        } finally {
            discard(temp);
        }
    }

    /**
     * Creates a new, empty, hidden temporary file beside {@code target} (same folder, so the final
     * rename stays on one file system) and returns its path.
     */
    public static Path temporarySibling(Path target) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        String name = "." + target.getFileName() + "." + HexFormat.of().toHexDigits(RANDOM.nextLong()) + SUFFIX;
        if (HOOKED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(AtomicFiles::deleteLive));
        }
        Path temp = Files.createFile(folder.resolve(name));
        LIVE.add(temp);
        return temp;
    }

    /** Deletes a temporary file that will not be renamed (the work was abandoned). */
    public static void discard(Path temp) throws IOException {
        try {
            Files.deleteIfExists(temp);
        } finally {
            LIVE.remove(temp);
        }
    }

    private static void deleteLive() {
        for (Path p : LIVE) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // the JVM is exiting: nothing more can be done about one file
            }
        }
    }

    /** Whether {@code file} is named like a temporary file of this class. */
    public static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(SUFFIX);
    }

    /**
     * Renames a finished temporary file over {@code target} atomically, then flushes the folder entry
     * so the rename survives a crash.
     *
     * @throws IOException if the file system cannot rename atomically (the target is left untouched)
     */
    public static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temp + " to " + target + " atomically on this file system", e);
        }
        LIVE.remove(temp);
        syncFolder(target.toAbsolutePath().getParent());
    }

    /**
     * Flushes a folder's entries. POSIX needs it for a rename to be durable; where a folder cannot be
     * opened as a channel (Windows), the file system orders the rename itself and this does nothing.
     */
    private static void syncFolder(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported for folders on this platform: nothing more can be done
        }
    }
}
