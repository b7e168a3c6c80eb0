package io.nvfp4.cli;

import io.nvfp4.format.BlockFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.Locale;

/** {@code nvfp4 formats}: the block formats and their storage cost. */
@Command(name = "formats",
        mixinStandardHelpOptions = true,
        description = "List the block formats: element type, block size, scale type and storage cost.")
final class FormatsCommand implements Runnable {
    private static final String ROW = "%-11s %-7s %5s  %-5s  %-12s  %9s  %10s%n";

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object per format and line instead of a table.")
    private boolean json;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            for (BlockFormat f : BlockFormat.values()) {
                out.println(new JsonLine()
                        .put("name", f.name())
                        .put("elementType", f.elementType().name())
                        .put("blockSize", f.blockSize())
                        .put("scaleType", f.scaleType().name())
                        .put("tensorScale", f.hasTensorScale())
                        .put("bitsPerWeight", f.bitsPerWeight())
                        .put("bytesPerWeight", f.bytesPerWeight()));
            }
            out.flush();
            return;
        }
        out.printf(Locale.ROOT, ROW, "format", "element", "block", "scale", "tensor scale", "bits/wt", "bytes/wt");
        for (BlockFormat f : BlockFormat.values()) {
            out.printf(Locale.ROOT, ROW, f.name(), f.elementType().name(), f.blockSize(), f.scaleType().name(),
                    f.hasTensorScale() ? "yes (FP32)" : "no",
                    exact(f.bitsPerWeight()), exact(f.bytesPerWeight()));
        }
        out.println();
        out.println("bits/wt: element bits plus the block scale's 8 bits shared by the block.");
        out.println("bytes/wt: storage, codes plus one scale byte a block. 4-bit codes pack two to a byte;");
        out.println("FP6 codes take one byte each (unpacked, as torchao stores them), as do FP8 and INT8 codes.");
        out.flush();
    }

    /** A binary fraction such as 0.5625 in full, without trailing zeros. */
    private static String exact(double value) {
        return new BigDecimal(value).stripTrailingZeros().toPlainString();
    }
}
