package io.affinity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** Which X-Request-Id values the server echoes and logs: only the shapes proxies and tracing give, never free text. */
@UnitTest
class LoggedFailureTest {
    @Test
    void requestIdsOfProxiesAndTracersAreOfTheLoggedShape() {
        assertTrue(LoggedFailure.isRequestId("4c1e0b7a-93d2-4f0e-8a51-0c6d2b9e7f13"), "a UUID");
        assertTrue(LoggedFailure.isRequestId("0af7651916cd43dd8448eb211c80319c"), "nginx's $request_id, a trace id");
        assertTrue(LoggedFailure.isRequestId("0123456789ABCDEF"), "16 hex digits, upper case");
        assertTrue(LoggedFailure.isRequestId("a".repeat(64)));
    }

    @Test
    void freeTextAndOtherShapesAreNot() {
        for (String value : new String[] {null, "", "17850", "customer 17850", "0123456789abcde", "a".repeat(65),
                "4c1e0b7a-93d2-4f0e-8a51-0c6d2b9e7f13\r\nX-Evil: 1", "jane@example.com-0123456789",
                "Root=1-5759e988-bd862e3fe1be46a994272793"}) {
            assertFalse(LoggedFailure.isRequestId(value), String.valueOf(value));
        }
        assertThrows(IllegalArgumentException.class, () -> new LoggedFailure("id", "customer 17850", null));
        assertThrows(IllegalArgumentException.class, () -> new LoggedFailure("", null, null));
    }

    @Test
    void theLogTagAndTheInstanceNameTheSameId() {
        LoggedFailure f = new LoggedFailure("9b2f3c1e-0000-4000-8000-000000000001", "0af7651916cd43dd8448eb211c80319c",
                "4bf92f3577b34da6a3ce929d0e0e4736");
        assertEquals("urn:uuid:9b2f3c1e-0000-4000-8000-000000000001", f.instance());
        assertEquals("[failure 9b2f3c1e-0000-4000-8000-000000000001; X-Request-Id 0af7651916cd43dd8448eb211c80319c; "
                + "trace 4bf92f3577b34da6a3ce929d0e0e4736]", f.logTag());
        assertEquals("[failure x]", new LoggedFailure("x", null, null).logTag());
    }

    @Test
    void aTraceparentGivesItsTraceIdWhenValid() {
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
                LoggedFailure.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        for (String bad : new String[] {null, "", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "customer 17850"}) {
            assertEquals(null, LoggedFailure.traceId(bad), String.valueOf(bad));
        }
    }
}
