package io.nvfp4.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: columns as wide as their widest cell, the first column left-aligned (names),
 * the others right-aligned (numbers), two spaces between columns.
 */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] leftAligned;

    /** @param header the column titles; {@code leftAligned[i]} for text columns */
    TextTable(String[] header, boolean... leftAligned) {
        this.leftAligned = leftAligned.clone();
        rows.add(header.clone());
    }

    /** Adds a row of as many cells as the header. */
    TextTable row(String... cells) {
        if (cells.length != rows.getFirst().length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + rows.getFirst().length);
        }
        rows.add(cells.clone());
        return this;
    }

    /** Prints the table. */
    void print(PrintWriter out) {
        int columns = rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder line = new StringBuilder();
        for (String[] r : rows) {
            line.setLength(0);
            for (int c = 0; c < columns; c++) {
                boolean left = c < leftAligned.length && leftAligned[c];
                String pad = " ".repeat(width[c] - r[c].length());
                if (c > 0) {
                    line.append("  ");
                }
                line.append(left ? r[c] + (c == columns - 1 ? "" : pad) : pad + r[c]);
            }
            out.println(line);
        }
    }
}
