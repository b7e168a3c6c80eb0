package io.nvfp4.io.checkpoint;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The entry point {@link ChildJvmConversionTest} runs in a separate JVM with a small heap:
 * {@code IN OUT THREADS MAX_SHARD_SIZE}. Prints {@code WROTE <file>} as each output file is complete,
 * and at the end {@code HEAP <max> <peak>}: the heap limit and the most heap seen in use at a
 * progress report.
 */
public final class ConvertInChildJvm {
    private ConvertInChildJvm() {}

    public static void main(String[] args) throws Exception {
        ConversionOptions options = ConversionOptions.defaults().withThreads(Integer.parseInt(args[2]))
                .withMaxShardSize(Long.parseLong(args[3]));
        Runtime runtime = Runtime.getRuntime();
        AtomicLong peak = new AtomicLong();
        ConversionReport report = Converter.convert(Path.of(args[0]), Path.of(args[1]), options, new ConversionListener() {
            @Override
            public void progress(long bytes) {
                peak.accumulateAndGet(runtime.totalMemory() - runtime.freeMemory(), Math::max);
            }

            @Override
            public void fileWritten(Path file, int index, int count) {
                System.out.println("WROTE " + file.getFileName());
                System.out.flush();
            }
        });
        System.out.printf("CONVERTED %d bytes in %.2f s%n", report.sourceBytes(), report.seconds());
        System.out.println("HEAP " + runtime.maxMemory() + " " + peak.get());
    }
}
