package dev.musicgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The layering rules, checked on the compiled production classes of every module (this module's test classpath
 * sees them all; ArchUnit reads the class files):
 *
 * <ol>
 *   <li>The API packages ({@link #API_PACKAGES}) expose no {@code NDArray}/{@code NDManager}/{@code NDList} and no
 *       {@code dev.musicgen.internal..} type in a public or protected signature of a public class: superclass,
 *       interfaces, field types, parameter, return and thrown types (type arguments included).
 *   <li>{@code internal.lm}, {@code internal.weights} and {@code internal.hub} do not use the facade package
 *       {@code dev.musicgen}, except {@link #facadeTypeAllowedBelow the exception family and two value enums}.
 *   <li>Nothing in musicgen-core lives in or uses {@code dev.musicgen.internal.codec..} or
 *       {@code dev.musicgen.internal.diffusion..} (core finds them through {@code ServiceLoader}).
 * </ol>
 *
 * Each rule lists the violations the code has today in a {@code KNOWN_*} constant; the test fails on any other
 * violation, and on a known one that is gone (remove it from the list then). TODO(integrator): the lists are the state
 * of the tree before the API rework (issue 12); they must be empty once that work is merged.
 */
class LayeringTest {
    /** The packages users see; everything else is under {@code dev.musicgen.internal}. */
    static final Set<String> API_PACKAGES =
            Set.of("dev.musicgen", "dev.musicgen.audio", "dev.musicgen.device", "dev.musicgen.spi");

    static final Set<String> NATIVE_TYPES =
            Set.of("ai.djl.ndarray.NDArray", "ai.djl.ndarray.NDManager", "ai.djl.ndarray.NDList");

    /** Rule 1: no known leak (the API rework removed the last one, Builder.hubClient(HubClient)). */
    static final Set<String> KNOWN_API_LEAKS = Set.of();

    /** Rule 2 today: none. */
    static final Set<String> KNOWN_FACADE_USES = Set.of();

    /** Rule 3 today: none. */
    static final Set<String> KNOWN_CORE_TO_MODULE_USES = Set.of();

    /** The production classes of all modules: no test classes (this module's nor core's test-jar), no libraries. */
    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.musicgen");

    @Test
    void the_import_sees_the_production_classes_of_every_module() {
        // guards the rules below against passing on an empty or partial import
        assertThat(MAIN.contain("dev.musicgen.MusicGenerator")).isTrue();
        assertThat(MAIN.stream().filter(LayeringTest::inCore).count()).isGreaterThan(50);
        assertThat(MAIN.stream()
                        .filter(c -> API_PACKAGES.contains(c.getPackageName()) && effectivelyPublic(c))
                        .count())
                .as("public API classes")
                .isGreaterThan(20);
        assertThat(MAIN.stream().anyMatch(c -> c.getPackageName().startsWith("dev.musicgen.internal.codec")))
                .isTrue();
        assertThat(MAIN.stream().anyMatch(c -> c.getPackageName().startsWith("dev.musicgen.internal.diffusion")))
                .isTrue();
        assertThat(MAIN.stream().anyMatch(c -> c.getPackageName().startsWith("dev.musicgen.cli")))
                .isTrue();
        assertThat(MAIN.stream().anyMatch(c -> c.getSimpleName().endsWith("Test")))
                .as("test classes imported")
                .isFalse();
    }

    @Test
    void the_api_exposes_no_ndarray_and_no_internal_type() {
        Set<String> found = new TreeSet<>();
        for (JavaClass c : MAIN) {
            if (!API_PACKAGES.contains(c.getPackageName()) || !effectivelyPublic(c)) {
                continue;
            }
            c.getSuperclass().ifPresent(t -> leaks(c, "extends", t, found));
            c.getInterfaces().forEach(t -> leaks(c, "implements", t, found));
            for (JavaField f : c.getFields()) {
                if (visible(f.getModifiers())) {
                    leaks(c, "field " + f.getName() + " has type", f.getType(), found);
                }
            }
            List<JavaCodeUnit> units = new ArrayList<>(c.getMethods());
            units.addAll(c.getConstructors());
            for (JavaCodeUnit u : units) {
                if (!visible(u.getModifiers()) || u.getModifiers().contains(JavaModifier.SYNTHETIC)) {
                    continue;
                }
                String name = u.getName().equals("<init>") ? "constructor" : "method " + u.getName() + "()";
                leaks(c, name + " returns", u.getReturnType(), found);
                for (JavaType p : u.getParameterTypes()) {
                    leaks(c, name + " takes", p, found);
                }
                for (JavaClass t : u.getThrowsClause().getTypes()) {
                    leaks(c, name + " throws", t, found);
                }
            }
        }
        check("API signatures", found, KNOWN_API_LEAKS);
    }

    @Test
    void lm_weights_and_hub_do_not_use_the_facade() {
        Set<String> found = new TreeSet<>();
        for (JavaClass c : MAIN) {
            String p = c.getPackageName();
            if (!(within(p, "dev.musicgen.internal.lm")
                    || within(p, "dev.musicgen.internal.weights")
                    || within(p, "dev.musicgen.internal.hub"))) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass t = d.getTargetClass();
                if (t.getPackageName().equals("dev.musicgen") && !facadeTypeAllowedBelow(t)) {
                    found.add(topLevel(c).getName() + " uses " + t.getName());
                }
            }
        }
        check("facade uses from lm/weights/hub", found, KNOWN_FACADE_USES);
    }

    @Test
    void core_does_not_use_codec_or_diffusion() {
        Set<String> found = new TreeSet<>();
        for (JavaClass c : MAIN) {
            if (!inCore(c)) {
                continue;
            }
            if (inModulePackages(c.getPackageName())) {
                found.add(c.getName() + " is in musicgen-core");
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                if (inModulePackages(d.getTargetClass().getPackageName())) {
                    found.add(topLevel(c).getName() + " uses "
                            + d.getTargetClass().getName());
                }
            }
        }
        check("musicgen-core uses of codec/diffusion", found, KNOWN_CORE_TO_MODULE_USES);
    }

    /**
     * What lm, weights and hub may use from {@code dev.musicgen}: the exception family (a top-level class whose name
     * ends in {@code Exception}, with its nested types such as {@code HubException.Reason}), and two value enums that
     * carry a user's choice down unchanged: {@link ComputeType} (the LM's weight precision) and {@link ModelVersion}
     * (a released model, which the hub layer maps to its repository).
     */
    static boolean facadeTypeAllowedBelow(JavaClass t) {
        String top = topLevel(t).getSimpleName();
        return top.endsWith("Exception") || top.equals("ComputeType") || top.equals("ModelVersion");
    }

    static void leaks(JavaClass owner, String how, JavaType type, Set<String> found) {
        for (JavaClass raw : type.getAllInvolvedRawTypes()) {
            JavaClass t = raw.isArray() ? raw.getBaseComponentType() : raw;
            if (NATIVE_TYPES.contains(t.getName()) || within(t.getPackageName(), "dev.musicgen.internal")) {
                found.add(owner.getName() + " " + how + " " + t.getName());
            }
        }
    }

    static void check(String rule, Set<String> found, Set<String> known) {
        Set<String> unexpected = new TreeSet<>(found);
        unexpected.removeAll(known);
        Set<String> fixed = new TreeSet<>(known);
        fixed.removeAll(found);
        assertThat(unexpected)
                .as(rule + ": violations (fix the code: the rules are in this class's Javadoc)")
                .isEmpty();
        assertThat(fixed)
                .as(rule + ": known violations that are gone (remove them from the KNOWN_ list)")
                .isEmpty();
    }

    /** Public, and so are all classes it is nested in. */
    static boolean effectivelyPublic(JavaClass c) {
        for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
            if (!k.getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    static boolean visible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    static boolean within(String pkg, String root) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    static boolean inModulePackages(String pkg) {
        return within(pkg, "dev.musicgen.internal.codec") || within(pkg, "dev.musicgen.internal.diffusion");
    }

    /** A class of musicgen-core: its class file comes from that module's classes folder or jar. */
    static boolean inCore(JavaClass c) {
        return c.getSource()
                .map(s -> s.getUri().toString())
                .filter(u -> u.contains("/musicgen-core/") || u.contains("/musicgen-core-"))
                .isPresent();
    }

    static JavaClass topLevel(JavaClass c) {
        JavaClass k = c;
        while (k.getEnclosingClass().isPresent()) {
            k = k.getEnclosingClass().get();
        }
        return k;
    }
}
