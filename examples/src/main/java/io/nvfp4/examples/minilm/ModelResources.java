package io.nvfp4.examples.minilm;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds the model files that langchain4j's jars carry at their root. On the class path the class
 * loader finds them. On the module path those jars are automatic modules that nothing requires (this
 * module uses their files, not their code), so they are not resolved and the class loader does not
 * see them; then the jar files on the module path ({@code jdk.module.path}: jars, or folders of jars
 * like the launcher's {@code lib/}) are opened and searched directly.
 */
final class ModelResources {
    private ModelResources() {}

    /**
     * The bytes of resource {@code name}.
     *
     * @param artifact the Maven artifact that ships it, for the error message
     * @throws FileNotFoundException if neither the class path nor the module path has it
     */
    static byte[] read(String name, String artifact) throws IOException {
        try (InputStream in = ModelResources.class.getClassLoader().getResourceAsStream(name)) {
            if (in != null) {
                return in.readAllBytes();
            }
        }
        for (Path jar : modulePathJars()) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry entry = zip.getEntry(name);
                if (entry != null) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        return in.readAllBytes();
                    }
                }
            } catch (java.util.zip.ZipException e) {
                // not a jar (or a damaged one that the JVM would refuse too): not where the model is
            }
        }
        throw new FileNotFoundException("the resource " + name + " is on neither the class path nor the module path;"
                + " it comes in the jar of " + artifact);
    }

    private static List<Path> modulePathJars() throws IOException {
        List<Path> jars = new ArrayList<>();
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath == null || modulePath.isEmpty()) {
            return jars;
        }
        for (String element : modulePath.split(File.pathSeparator)) {
            Path p = Path.of(element);
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    files.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(jars::add);
                }
            } else if (element.endsWith(".jar") && Files.isRegularFile(p)) {
                jars.add(p);
            }
        }
        return jars;
    }
}
