package io.nvfp4.cli;

import io.nvfp4.io.SafetensorsFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;

/**
 * Runs a command's body and turns the failures a user can meet into one line on stderr and exit
 * code 1, instead of a stack trace: missing files, malformed checkpoints, full disks. Usage errors
 * ({@link CommandLine.ParameterException}) pass through to {@code Main}'s handler (exit code 2);
 * programming errors keep their stack trace.
 */
final class CommandFailure {
    /** Exit code of a runtime failure. */
    static final int EXIT_FAILURE = 1;

    private CommandFailure() {}

    /** Runs {@code body}; a failure prints {@code <command>: <what went wrong>} and returns 1. */
    static int run(CommandSpec spec, Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException | OutOfMemoryError e) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + describe(e));
            spec.commandLine().getErr().flush();
            return EXIT_FAILURE;
        }
    }

    /** One line saying what went wrong, without exception class names where the message says it. */
    static String describe(Throwable e) {
        return switch (e) {
            case UncheckedIOException u -> describe(u.getCause());
            case SafetensorsFormatException f -> f.getMessage();
            case NoSuchFileException f -> "no such file or folder: " + f.getFile();
            case AccessDeniedException f -> "permission denied: " + f.getFile();
            case FileAlreadyExistsException f -> "already exists: " + f.getFile();
            case FileSystemException f -> f.getFile() + ": " + (f.getReason() == null ? "file system error" : f.getReason());
            case OutOfMemoryError o -> "out of memory; raise the heap (NVFP4_JAVA_OPTS=-Xmx8g for ./nvfp4)";
            default -> {
                String message = e.getMessage();
                if (message == null || message.isBlank()) {
                    yield e.getClass().getSimpleName();
                }
                int nl = message.indexOf('\n');
                yield nl < 0 ? message : message.substring(0, nl);
            }
        };
    }
}
