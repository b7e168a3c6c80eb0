package io.nvfp4.simd;

import io.nvfp4.backend.ComputePool;
import io.nvfp4.tensor.FloatMatrix;

import java.util.Arrays;
import java.util.function.IntConsumer;

import static io.nvfp4.simd.Vec.L;

/**
 * Runs a matmul on a {@link ComputePool}: M = 1 as a GEMV ({@link Gemv}) split over row groups; up to
 * {@link #SMALL_ROWS} rows with {@link SmallGemm}, split over group pairs; more as a GEMM ({@link Gemm})
 * over slabs of x rows, split over panels of W columns (and row ranges of x when W has few panels).
 *
 * <p>No allocation per call once warm: every buffer lives in a per-thread {@link Scratch} that only
 * grows, and the task objects handed to the pool are preallocated in the calling thread's scratch
 * (a capturing lambda would be a new object per call). A task reads its inputs from fields written
 * before {@link ComputePool#parallelFor}, which publishes them to the workers.
 */
final class Matmul {
    /** Rows of x packed per GEMM slab: bounds the packed copy at 252 x K floats. */
    static final int SLAB_BLOCKS = 42;
    /**
     * Up to this many rows of x, {@link SmallGemm} (weights decoded in registers, once per 6 rows);
     * beyond, the tile GEMM (decoded once per panel, about as costly as 12 rows of FMAs). Measured on
     * AVX-512 (Zen 5), MiniLM's shapes: SmallGemm is 30 % faster at 4 to 6 rows, 8 % at 12, 8 % slower
     * at 14, 25 % at 24.
     */
    static final int SMALL_ROWS = 12;
    /** A GEMV below this many weights runs on the calling thread: waking workers would cost more. */
    private static final long PARALLEL_GEMV_WEIGHTS = 1L << 16;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Matmul() {}

    /** {@code y = x W^T}; the caller has checked the shapes. */
    static void run(PackedWeight w, FloatMatrix x, float[] y, ComputePool pool) {
        Scratch scratch = SCRATCH.get();
        if (x.rows() == 1) {
            gemv(w, x, y, pool, scratch);
        } else if (x.rows() <= SMALL_ROWS) {
            smallGemm(w, x, y, pool, scratch);
        } else {
            gemm(w, x, y, pool, scratch);
        }
    }

    private static void gemv(PackedWeight w, FloatMatrix x, float[] y, ComputePool pool, Scratch scratch) {
        float[] xs = scratch.x(w.kp);
        x.readRow(0, 0, xs, w.k);
        Arrays.fill(xs, w.k, w.kp, 0f);
        int pairs = w.groups / 2;
        long weights = (long) w.n * w.kp;
        int tasks = 1;
        if (pool.threads() > 1 && weights >= PARALLEL_GEMV_WEIGHTS) {
            tasks = Math.min(pairs, pool.threads() * 8);
        }
        int pairsPerTask = Math.ceilDiv(pairs, tasks);
        tasks = Math.ceilDiv(pairs, pairsPerTask);
        GemvTask task = scratch.gemv;
        task.set(w, xs, y, pairsPerTask);
        try {
            pool.parallelFor(tasks, task);
        } finally {
            task.clear();
        }
    }

    private static void smallGemm(PackedWeight w, FloatMatrix x, float[] y, ComputePool pool, Scratch scratch) {
        int m = Math.toIntExact(x.rows());
        float[] xp = packX(x, 0, m, Math.ceilDiv(m, Gemm.MR), w.k, w.kp, scratch);
        int pairs = w.groups / 2;
        // a few tasks a thread, so that a thread slowed by another process does not hold up the rest
        int tasks = pool.threads() > 1 ? Math.min(pairs, 4 * pool.threads()) : 1;
        int pairsPerTask = Math.ceilDiv(pairs, tasks);
        tasks = Math.ceilDiv(pairs, pairsPerTask);
        SmallTask task = scratch.small;
        task.set(w, xp, m, y, pairsPerTask);
        try {
            pool.parallelFor(tasks, task);
        } finally {
            task.clear();
        }
    }

    private static void gemm(PackedWeight w, FloatMatrix x, float[] y, ComputePool pool, Scratch scratch) {
        int m = Math.toIntExact(x.rows());
        int panels = Math.ceilDiv(w.groups, 4);
        GemmTask task = scratch.gemm;
        // the packed slab is indexed with ints: (blocks * kp) * MR must fit
        int slabBlocks = (int) Math.clamp((Integer.MAX_VALUE - 64) / ((long) w.kp * Gemm.MR), 1, SLAB_BLOCKS);
        try {
            for (int m0 = 0; m0 < m; m0 += slabBlocks * Gemm.MR) {
                int rows = Math.min(slabBlocks * Gemm.MR, m - m0);
                int blocks = Math.ceilDiv(rows, Gemm.MR);
                float[] xp = packX(x, m0, rows, blocks, w.k, w.kp, scratch);
                int parts = 1;
                if (pool.threads() > 1) {
                    // a part decodes its panel again: only split rows that leave each part 4 blocks (24 rows)
                    parts = Math.clamp(Math.ceilDiv(4 * pool.threads(), panels), 1, Math.max(1, blocks / 4));
                }
                task.set(w, xp, y, m0, rows, blocks, parts, panels);
                pool.parallelFor(panels * parts, task);
            }
        } finally {
            task.clear();
        }
    }

    /** x rows [m0, m0 + rows) as {@code xp[(block * kp + k) * MR + r]}, zero past K and past the last row. */
    private static float[] packX(FloatMatrix x, int m0, int rows, int blocks, int k, int kp, Scratch scratch) {
        float[] xp = scratch.xp(blocks * kp * Gemm.MR);
        float[] row = scratch.x(kp);
        for (int r = 0; r < blocks * Gemm.MR; r++) {
            if (r < rows) {
                x.readRow(m0 + r, 0, row, k);
                Arrays.fill(row, k, kp, 0f);
            } else if (r == rows) {
                Arrays.fill(row, 0f);
            }
            int base = (r / Gemm.MR) * kp * Gemm.MR + r % Gemm.MR;
            for (int c = 0; c < kp; c++) {
                xp[base + c * Gemm.MR] = row[c];
            }
        }
        return xp;
    }

    /** One GEMV task: the group pairs of one index range. */
    static final class GemvTask implements IntConsumer {
        private PackedWeight w;
        private float[] x;
        private float[] y;
        private int pairsPerTask;

        void set(PackedWeight w, float[] x, float[] y, int pairsPerTask) {
            this.w = w;
            this.x = x;
            this.y = y;
            this.pairsPerTask = pairsPerTask;
        }

        void clear() {
            w = null;
            x = null;
            y = null;
        }

        @Override
        public void accept(int task) {
            int p0 = task * pairsPerTask;
            int p1 = Math.min(w.groups / 2, p0 + pairsPerTask);
            if (w.mx || w.kp >= 64) {
                Gemv.runFactored(w, x, y, 0, p0, p1, SCRATCH.get().tail);
            } else {
                Gemv.run(w, x, y, 0, p0, p1, SCRATCH.get().tail);
            }
        }
    }

    /** One {@link SmallGemm} task: the group pairs of one index range, for every row of x. */
    static final class SmallTask implements IntConsumer {
        private PackedWeight w;
        private float[] xp;
        private int rows;
        private float[] y;
        private int pairsPerTask;

        void set(PackedWeight w, float[] xp, int rows, float[] y, int pairsPerTask) {
            this.w = w;
            this.xp = xp;
            this.rows = rows;
            this.y = y;
            this.pairsPerTask = pairsPerTask;
        }

        void clear() {
            w = null;
            xp = null;
            y = null;
        }

        @Override
        public void accept(int task) {
            int p0 = task * pairsPerTask;
            int p1 = Math.min(w.groups / 2, p0 + pairsPerTask);
            SmallGemm.run(w, xp, 0, rows, y, p0, p1, SCRATCH.get().sums);
        }
    }

    /** One GEMM task: one panel of W columns for one range of x blocks of the current slab. */
    static final class GemmTask implements IntConsumer {
        private PackedWeight w;
        private float[] xp;
        private float[] y;
        private int m0;
        private int rows;
        private int blocks;
        private int parts;
        private int panels;

        void set(PackedWeight w, float[] xp, float[] y, int m0, int rows, int blocks, int parts, int panels) {
            this.w = w;
            this.xp = xp;
            this.y = y;
            this.m0 = m0;
            this.rows = rows;
            this.blocks = blocks;
            this.parts = parts;
            this.panels = panels;
        }

        void clear() {
            w = null;
            xp = null;
            y = null;
        }

        @Override
        public void accept(int task) {
            int panel = task % panels;
            int part = task / panels;
            int b0 = (int) ((long) part * blocks / parts);
            int b1 = (int) ((long) (part + 1) * blocks / parts);
            if (b0 == b1) {
                return;
            }
            int g0 = panel * 4;
            int ng = Math.min(4, w.groups - g0);
            Scratch scratch = SCRATCH.get();
            float[] tile = scratch.tile;
            float[] yt = scratch.yt((b1 - b0) * Gemm.MR * Gemm.NC);
            int kp = w.kp;
            for (int k0 = 0; k0 < kp; k0 += Gemm.KC) {
                int kc = Math.min(Gemm.KC, kp - k0);
                Gemm.decodeTile(w, g0, ng, k0, kc, tile);
                boolean first = k0 == 0;
                for (int b = b0; b < b1; b++) {
                    int xBase = (b * kp + k0) * Gemm.MR;
                    int ytRow = (b - b0) * Gemm.MR;
                    int valid = Math.min(Gemm.MR, rows - b * Gemm.MR);
                    // the packed rows past M are zeros: the 6-row kernel on them beats 1-row passes from 3 rows
                    if (valid >= 3) {
                        Gemm.micro6(xp, xBase, tile, kc, yt, ytRow, first);
                    } else {
                        for (int r = 0; r < valid; r++) {
                            Gemm.micro1(xp, xBase, r, tile, kc, yt, ytRow + r, first);
                        }
                    }
                }
            }
            int n = w.n;
            int n0 = g0 * L;
            int columns = Math.min(Gemm.NC, n - n0);
            for (int b = b0; b < b1; b++) {
                int valid = Math.min(Gemm.MR, rows - b * Gemm.MR);
                for (int r = 0; r < valid; r++) {
                    int row = m0 + b * Gemm.MR + r;
                    System.arraycopy(yt, ((b - b0) * Gemm.MR + r) * Gemm.NC, y, row * n + n0, columns);
                }
            }
        }
    }

    /** Per-thread buffers; each only grows. */
    static final class Scratch {
        final float[] tail = new float[L];
        final float[] sums = new float[2 * Gemm.MR * L];
        final GemvTask gemv = new GemvTask();
        final SmallTask small = new SmallTask();
        final GemmTask gemm = new GemmTask();
        private float[] x = new float[0];
        private float[] xp = new float[0];
        private float[] yt = new float[0];
        final float[] tile = new float[Gemm.KC * Gemm.NC];

        float[] x(int length) {
            if (x.length < length) {
                x = new float[length];
            }
            return x;
        }

        float[] xp(int length) {
            if (xp.length < length) {
                xp = new float[length];
            }
            return xp;
        }

        float[] yt(int length) {
            if (yt.length < length) {
                yt = new float[length];
            }
            return yt;
        }
    }
}
