package io.nvfp4.cli;

import io.nvfp4.io.checkpoint.ConversionListener;
import io.nvfp4.io.checkpoint.TensorReport;

import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Shows a long job's progress on stderr: on a terminal, one line redrawn in place (bar, tensors,
 * bytes, rate, ETA); otherwise, for logs and pipes, a plain line per quantized tensor and per file
 * written. Called from worker threads; every method synchronizes.
 */
final class ProgressReporter implements ConversionListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 24;

    private final PrintWriter err;
    private final boolean terminal;
    private final String verb;
    private final long start = System.nanoTime();
    private long totalBytes;
    private int totalTensors;
    private long doneBytes;
    private int doneTensors;
    private long lastDraw;
    private boolean drawn;

    /**
     * @param err      where to write
     * @param terminal redraw one line in place (else log lines)
     * @param verb     what is going on, for the first log line ("converting")
     */
    ProgressReporter(PrintWriter err, boolean terminal, String verb) {
        this.err = err;
        this.terminal = terminal;
        this.verb = verb;
    }

    /** Whether standard output is an interactive terminal (JDK 22+ returns a console for pipes too). */
    static boolean onTerminal() {
        Console console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public synchronized void started(int tensors, long sourceBytes) {
        totalTensors = tensors;
        totalBytes = sourceBytes;
        if (!terminal) {
            err.println(verb + " " + tensors + " tensors, " + ByteSize.format(sourceBytes) + " of tensor data");
            err.flush();
        }
    }

    @Override
    public synchronized void progress(long bytes) {
        doneBytes += bytes;
        long now = System.nanoTime();
        if (terminal && now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            draw();
        }
    }

    @Override
    public synchronized void tensorDone(TensorReport report, int done, int total) {
        doneTensors = done;
        if (!terminal && report.quantized()) {
            int width = String.valueOf(total).length();
            err.printf(Locale.ROOT, "[%" + width + "d/%d] %s %s, SQNR %s dB%n", done, total, report.name(),
                    report.format(), Tables.sqnr(report.error().sqnrDb()));
            err.flush();
        }
    }

    @Override
    public synchronized void fileWritten(Path file, int index, int count) {
        clearLine();
        err.println("wrote " + file.getFileName() + " (" + index + " of " + count + ")");
        err.flush();
        if (terminal) {
            draw();
        }
    }

    @Override
    public synchronized void note(String message) {
        clearLine();
        err.println(message);
        err.flush();
    }

    /** Ends the progress line, if one is drawn. */
    synchronized void finish() {
        if (terminal && drawn) {
            draw();
            err.println();
            err.flush();
            drawn = false;
        }
    }

    private void clearLine() {
        if (terminal && drawn) {
            err.print("\r\033[K");
        }
    }

    private void draw() {
        double fraction = totalBytes == 0 ? 1 : Math.min(1, (double) doneBytes / totalBytes);
        int filled = (int) Math.round(fraction * BAR);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = seconds > 0 ? doneBytes / seconds : 0;
        String eta = rate > 0 && fraction < 1 ? clock((totalBytes - doneBytes) / rate) : fraction >= 1 ? "0:00" : "--:--";
        err.printf(Locale.ROOT, "\r[%s%s] %3d%%  %d/%d tensors  %s / %s  %s/s  ETA %s\033[K",
                "=".repeat(filled), " ".repeat(BAR - filled), Math.round(fraction * 100), doneTensors, totalTensors,
                ByteSize.format(doneBytes), ByteSize.format(totalBytes), ByteSize.format((long) rate), eta);
        err.flush();
        drawn = true;
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
