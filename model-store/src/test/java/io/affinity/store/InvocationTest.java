package io.affinity.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.affinity.testing.UnitTest;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@UnitTest
class InvocationTest {
    @Test
    void theCommandLineRunsTheVerbWithItsArgumentsFromTheDirectoryItRanIn() {
        Invocation i = new Invocation("train", List.of("--input", "data/orders.csv.gz", "--min-support", "0.01",
                "--models", "/srv/affinity/models"), "/home/ana/shop");
        assertEquals("cd /home/ana/shop && affinity train --input data/orders.csv.gz --min-support 0.01 "
                + "--models /srv/affinity/models", i.commandLine());
    }

    @Test
    void argumentsAShellWouldSplitOrExpandAreQuotedSoThatTheLineRunsAsRecorded() {
        Invocation i = new Invocation("train", List.of("--input", "March exports/it's.csv", "--columns",
                "customer=Kunde Nr,item=Artikel", "--time-zone", "Europe/Berlin", "--delimiter", ";", "--x", "",
                "--y", "$HOME*"), "/data/my shop", "/opt/affinity checkout/affinity");
        assertEquals("cd '/data/my shop' && '/opt/affinity checkout/affinity' train "
                + "--input 'March exports/it'\\''s.csv' "
                + "--columns 'customer=Kunde Nr,item=Artikel' --time-zone Europe/Berlin --delimiter ';' --x '' "
                + "--y '$HOME*'", i.commandLine());
    }

    @Test
    void theLauncherThatRanItIsRecordedWhenItPassedItsPath() {
        String before = System.getProperty(Invocation.LAUNCHER_PROPERTY);
        try {
            System.setProperty(Invocation.LAUNCHER_PROPERTY, "/opt/affinity/affinity");
            Invocation i = Invocation.current("train", List.of("--input", "a.csv"));
            assertEquals("/opt/affinity/affinity", i.launcher());
            assertTrue(i.commandLine().contains(" && /opt/affinity/affinity train --input a.csv"), i.commandLine());
        } finally {
            if (before == null) {
                System.clearProperty(Invocation.LAUNCHER_PROPERTY);
            } else {
                System.setProperty(Invocation.LAUNCHER_PROPERTY, before);
            }
        }
    }

    @Test
    void readBackFromTheManifestSection() {
        Invocation i = new Invocation("spark-train", List.of("--input", "hdfs:///exports/2011-*.csv.gz"), "/opt/jobs");
        JsonNode section = Json.MAPPER.valueToTree(i);
        assertEquals(Optional.of(i), Invocation.of(section));
        assertEquals(Optional.empty(), Invocation.of(null), "a version published before invocations were recorded");
    }

    @Test
    void aVerbAndADirectoryAreRequired() {
        assertThrows(IllegalArgumentException.class, () -> new Invocation(" ", List.of(), "/x"));
        assertThrows(IllegalArgumentException.class, () -> new Invocation("train", List.of(), ""));
        assertTrue(new Invocation("train", null, "/x").arguments().isEmpty());
    }
}
