package io.affinity.training.customers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.affinity.recommender.CustomerProfile;
import io.affinity.recommender.CustomerProfile.Stage;
import io.affinity.recommender.CustomerProfile.Strategy;
import io.affinity.recommender.CustomerProfile.Tier;
import io.affinity.testing.UnitTest;
import io.affinity.training.ingest.IngestOptions;
import io.affinity.training.ingest.TransactionLoader;
import io.affinity.training.ingest.Transactions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole analysis on a small generated export with a few hand-made customers whose numbers are known. */
@UnitTest
class CustomerAnalyticsTest {
    private static final String HEADER = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country";

    @TempDir
    Path dir;

    @Test
    void summarisesKnownCustomersExactly() throws Exception {
        CustomerAnalysis a = analyse(LocalDate.of(2010, 6, 30), LocalDate.of(2010, 9, 30));
        Map<String, CustomerAnalysis.Row> rows = a.rows().stream()
                .collect(Collectors.toMap(CustomerAnalysis.Row::customerId, Function.identity()));
        // K1: 2010-01-10 (two invoices that day = one transaction), 2010-03-01, 2010-06-20; holdout 2010-07-15.
        CustomerAnalysis.Row k1 = rows.get("90001");
        assertEquals(2, k1.x());
        assertEquals(LocalDate.of(2010, 1, 10), k1.firstPurchase());
        assertEquals(161, k1.tx(), 1e-9); // 2010-01-10 .. 2010-06-20
        assertEquals(171, k1.T(), 1e-9); // .. 2010-06-30
        assertEquals(3, k1.profile().transactions());
        assertEquals(10, k1.profile().recencyDays());
        // Spend: day 1 = 2x10 + 1x10 (second invoice), then 4x10, then 6x10; repeat mean = (40+60)/2.
        assertEquals(130, k1.profile().monetary(), 1e-9);
        assertEquals(50, k1.meanRepeatSpend(), 1e-9);
        assertEquals(1, k1.holdoutActual());
        // naive: transactions in the last 92 days of calibration (after 2010-03-30): only 2010-06-20.
        assertEquals(1, k1.holdoutNaive(), 1e-9);
        // Paid the item's median price of 10.
        assertEquals(1.0, k1.profile().priceIndex(), 1e-9);

        // K2: one purchase on 2010-06-25 of the cheap blue variant: new, all variant spend on the cheaper one.
        CustomerAnalysis.Row k2 = rows.get("90002");
        assertEquals(0, k2.x());
        assertEquals(5, k2.T(), 1e-9);
        assertEquals(Stage.NEW, k2.profile().stage());
        assertEquals(Strategy.INITIATE, k2.profile().strategy());
        assertEquals(1.0, k2.profile().cheaperVariantShare(), 1e-9);
        assertEquals(1.0, k2.profile().pAlive(), 1e-12);

        // K3: bought once on 2009-12-20 (192 days before the end) and never again: lapsed by recency even though BG/NBD says P(alive)=1.
        CustomerAnalysis.Row k3 = rows.get("90003");
        assertEquals(Stage.LAPSED, k3.profile().stage());
        assertEquals(0, k3.holdoutActual());

        // K4: first purchase only in the holdout: counted, not profiled.
        assertTrue(!rows.containsKey("90004"));
        assertEquals(1, a.customersAfterCalibration());

        // Every generated customer is there, and tiers follow the requested shares.
        assertEquals(203, a.rows().size());
        Map<Tier, Long> tiers = a.rows().stream()
                .collect(Collectors.groupingBy(r -> r.profile().tier(), Collectors.counting()));
        // Cumulative cut points: ceil(0.05 * 203) = 11, ceil(0.20 * 203) = 41, ceil(0.50 * 203) = 102.
        assertEquals(11, tiers.get(Tier.PLATINUM));
        assertEquals(30, tiers.get(Tier.GOLD));
        assertEquals(61, tiers.get(Tier.IRON));
        // Platinum customers are worth at least as much as any Gold one.
        double minPlatinum = a.rows().stream().filter(r -> r.profile().tier() == Tier.PLATINUM)
                .mapToDouble(r -> r.profile().expectedValue12()).min().orElseThrow();
        double maxGold = a.rows().stream().filter(r -> r.profile().tier() == Tier.GOLD)
                .mapToDouble(r -> r.profile().expectedValue12()).max().orElseThrow();
        assertTrue(minPlatinum >= maxGold);
        assertEquals(a.rows().size(), a.holdout().customers());
    }

    @Test
    void discountingLowersValueAndReportIsComplete() throws Exception {
        CustomerAnalysis plain = analyse(LocalDate.of(2010, 6, 30), null);
        Path file = write("");
        Transactions tx = TransactionLoader.load(List.of(file), IngestOptions.defaults()).transactions();
        CustomerAnalysis discounted = CustomerAnalytics.run(tx,
                CustomerAnalyticsOptions.defaults(LocalDate.of(2010, 6, 30)).withDiscountRate(0.5));
        double v0 = plain.rows().stream().mapToDouble(r -> r.profile().expectedValue12()).sum();
        double v1 = discounted.rows().stream().mapToDouble(r -> r.profile().expectedValue12()).sum();
        assertTrue(v1 < v0 && v1 > v0 / 1.5, v0 + " vs " + v1);
        Map<String, Object> report = CustomerReportWriter.report(plain);
        assertTrue(report.containsKey("bgNbd") && report.containsKey("gammaGamma") && !report.containsKey("holdout"));
        CustomerReportWriter.write(plain, dir.resolve("out"));
        List<String> csv = Files.readAllLines(dir.resolve("out/profiles.csv"));
        assertEquals(plain.rows().size() + 1, csv.size());
    }

    @Test
    void tiersRankByPredictedMarginWhenTheCatalogueGivesCosts() throws Exception {
        Path file = write("");
        Transactions tx = TransactionLoader.load(List.of(file), IngestOptions.defaults()).transactions();
        CustomerAnalyticsOptions o = CustomerAnalyticsOptions.defaults(LocalDate.of(2010, 6, 30));
        // RED MUG sells at 10 with cost 9.5 (5% margin); BLUE MUG at 5 with cost 1 (80%); LANTERN has no cost.
        ItemCosts costs = ItemCosts.of(tx, Map.of("10001", 9.5, "10002", 1.0));
        CustomerAnalysis byRevenue = CustomerAnalytics.run(tx, o);
        CustomerAnalysis byMargin = CustomerAnalytics.run(tx, o, costs);
        assertEquals(CustomerAnalysis.TierBasis.REVENUE, byRevenue.tierBasis());
        assertEquals(CustomerAnalysis.TierBasis.MARGIN, byMargin.tierBasis());
        Map<String, CustomerAnalysis.Row> rows = byMargin.rows().stream()
                .collect(Collectors.toMap(CustomerAnalysis.Row::customerId, Function.identity()));
        // K1 bought only RED MUG, K2 only BLUE MUG: their own margin shares.
        CustomerAnalysis.Row k1 = rows.get("90001");
        assertEquals(0.05, k1.marginShare(), 1e-12);
        assertEquals(k1.profile().expectedValue12() * 0.05, k1.expectedMargin12(), 1e-9);
        assertEquals(0.8, rows.get("90002").marginShare(), 1e-12);
        // K3 bought only the LANTERN (no cost): the population's share, sum(margin) / sum(revenue) over costed lines.
        double revenue = 0;
        double margin = 0;
        for (int order = 0; order < tx.orderCount(); order++) {
            if (tx.timestampOf(order).toLocalDate().isAfter(LocalDate.of(2010, 6, 30)) || tx.customerOf(order) < 0) {
                continue;
            }
            for (int l = tx.lineStart(order); l < tx.lineEnd(order); l++) {
                String item = tx.itemId(tx.itemOfLine(l));
                if (!item.equals("10003")) {
                    double r = tx.quantityOfLine(l) * tx.unitPriceOfLine(l);
                    revenue += r;
                    margin += r - tx.quantityOfLine(l) * (item.equals("10001") ? 9.5 : 1.0);
                }
            }
        }
        assertEquals(margin / revenue, rows.get("90003").marginShare(), 1e-9);
        // Tiers follow predicted margin with the same cut points: every Platinum is worth at least any Gold.
        Map<Tier, Long> tiers = byMargin.rows().stream()
                .collect(Collectors.groupingBy(r -> r.profile().tier(), Collectors.counting()));
        assertEquals(11, tiers.get(Tier.PLATINUM));
        assertEquals(30, tiers.get(Tier.GOLD));
        double minPlatinum = byMargin.rows().stream().filter(r -> r.profile().tier() == Tier.PLATINUM)
                .mapToDouble(CustomerAnalysis.Row::expectedMargin12).min().orElseThrow();
        double maxGold = byMargin.rows().stream().filter(r -> r.profile().tier() == Tier.GOLD)
                .mapToDouble(CustomerAnalysis.Row::expectedMargin12).max().orElseThrow();
        assertTrue(minPlatinum >= maxGold);
        // ... and margin changes who is Platinum: revenue favours the RED MUG buyers.
        Map<String, Tier> revenueTier = byRevenue.rows().stream()
                .collect(Collectors.toMap(CustomerAnalysis.Row::customerId, r -> r.profile().tier()));
        long moved = byMargin.rows().stream().filter(r -> r.profile().tier() != revenueTier.get(r.customerId())).count();
        assertTrue(moved > 0, "tiers by margin equal tiers by revenue");
        // The report and the CSV say which basis was used.
        @SuppressWarnings("unchecked")
        Map<String, Object> tierReport = (Map<String, Object>) CustomerReportWriter.report(byMargin).get("tiers");
        assertTrue(((String) tierReport.get("basis")).startsWith("predicted margin"), tierReport.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> revenueReport = (Map<String, Object>) CustomerReportWriter.report(byRevenue).get("tiers");
        assertTrue(((String) revenueReport.get("basis")).startsWith("predicted value"), revenueReport.toString());
        CustomerReportWriter.write(byMargin, dir.resolve("margin"));
        assertTrue(Files.readAllLines(dir.resolve("margin/profiles.csv")).get(0).endsWith(",margin_share,expected_margin_12m"));
    }

    @Test
    void stagesAndStrategiesFollowTheirRules() {
        CustomerAnalyticsOptions o = CustomerAnalyticsOptions.defaults(LocalDate.of(2010, 1, 1));
        assertEquals(Stage.NEW, CustomerAnalytics.stage(o, 30, 30, 0, 0.1));
        assertEquals(Stage.WON_BACK, CustomerAnalytics.stage(o, 400, 10, 200, 0.9));
        assertEquals(Stage.LAPSED, CustomerAnalytics.stage(o, 400, 200, 0, 1.0));
        assertEquals(Stage.LAPSED, CustomerAnalytics.stage(o, 400, 20, 30, 0.2));
        assertEquals(Stage.AT_RISK, CustomerAnalytics.stage(o, 400, 100, 30, 0.95));
        assertEquals(Stage.ACTIVE, CustomerAnalytics.stage(o, 400, 10, 30, 0.95));
        assertEquals(Strategy.PROTECT, CustomerAnalytics.strategy(Stage.ACTIVE, Tier.PLATINUM, 5));
        assertEquals(Strategy.WIN_BACK, CustomerAnalytics.strategy(Stage.LAPSED, Tier.LEAD, 5));
        assertEquals(Strategy.END, CustomerAnalytics.strategy(Stage.LAPSED, Tier.LEAD, 2));
        assertEquals(Strategy.HARVEST, CustomerAnalytics.strategy(Stage.AT_RISK, Tier.LEAD, 2));
        assertEquals(CustomerProfile.PriceSensitivity.HIGH, CustomerAnalytics.sensitivity(0.8, Double.NaN));
        assertEquals(CustomerProfile.PriceSensitivity.LOW, CustomerAnalytics.sensitivity(1.1, 0.1));
        assertEquals(CustomerProfile.PriceSensitivity.MEDIUM, CustomerAnalytics.sensitivity(0.95, 0.5));
    }

    /**
     * Every threshold where the option descriptions put it: NEW "within" newDays (90 is new, 91 not), WON_BACK after a
     * gap "of at least" lapsedDays with a recency "within" atRiskDays, LAPSED and AT_RISK "beyond" their recency and
     * "below" their P(alive); each value on the line and one step past it.
     */
    @Test
    void stageThresholdsAreWhereTheOptionsSayTheyAre() {
        CustomerAnalyticsOptions o = CustomerAnalyticsOptions.defaults(LocalDate.of(2010, 1, 1));
        assertEquals(Stage.NEW, CustomerAnalytics.stage(o, 90, 90, 0, 0.95));
        assertEquals(Stage.ACTIVE, CustomerAnalytics.stage(o, 91, 90, 0, 0.95));
        assertEquals(Stage.WON_BACK, CustomerAnalytics.stage(o, 400, 90, 180, 0.1));
        assertEquals(Stage.AT_RISK, CustomerAnalytics.stage(o, 400, 91, 180, 0.95));
        assertEquals(Stage.ACTIVE, CustomerAnalytics.stage(o, 400, 90, 179, 0.95));
        assertEquals(Stage.AT_RISK, CustomerAnalytics.stage(o, 400, 180, 0, 0.95));
        assertEquals(Stage.LAPSED, CustomerAnalytics.stage(o, 400, 181, 0, 0.95));
        assertEquals(Stage.AT_RISK, CustomerAnalytics.stage(o, 400, 10, 0, 0.3));
        assertEquals(Stage.LAPSED, CustomerAnalytics.stage(o, 400, 10, 0, Math.nextDown(0.3)));
        assertEquals(Stage.ACTIVE, CustomerAnalytics.stage(o, 400, 10, 0, 0.7));
        assertEquals(Stage.AT_RISK, CustomerAnalytics.stage(o, 400, 10, 0, Math.nextDown(0.7)));
    }

    /**
     * Twenty customers put every cut point of the default shares on a rank exactly (1/20 = 0.05, 4/20 = 0.05 + 0.15,
     * 10/20 = 0.05 + 0.15 + 0.30, all equal as doubles): the top 5% is one customer, the next 15% three, the next
     * 30% six, not one more at any cut; and the tiers follow the value ranking.
     */
    @Test
    void tierCutsFallOnTheSharesOfCustomers() {
        CustomerAnalysis a = CustomerAnalytics.analyse(twentyCustomers(), 0, 0,
                CustomerAnalyticsOptions.defaults(TWENTY_END), false, 0);
        Map<Tier, Long> tiers = a.rows().stream()
                .collect(Collectors.groupingBy(r -> r.profile().tier(), Collectors.counting()));
        assertEquals(Map.of(Tier.PLATINUM, 1L, Tier.GOLD, 3L, Tier.IRON, 6L, Tier.LEAD, 10L), tiers);
        List<CustomerProfile> byValue = a.rows().stream().map(CustomerAnalysis.Row::profile)
                .sorted(java.util.Comparator.comparingDouble(CustomerProfile::expectedValue12).reversed()).toList();
        for (int i = 1; i < byValue.size(); i++) {
            assertTrue(byValue.get(i - 1).tier().compareTo(byValue.get(i).tier()) <= 0, "tiers out of value order");
        }
    }

    private static final LocalDate TWENTY_END = LocalDate.of(2011, 1, 1);

    /** Twenty customers of 1 to 7 purchase days in the 300 days before {@link #TWENTY_END}, each spending differently. */
    private static List<CustomerAnalytics.CustomerSummary> twentyCustomers() {
        long end = TWENTY_END.toEpochDay();
        List<CustomerAnalytics.CustomerSummary> summaries = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int days = 1 + i % 7;
            long[] purchaseDays = new long[days];
            ExactSum[] spend = new ExactSum[days];
            for (int k = 0; k < days; k++) {
                purchaseDays[k] = end - 300 + k * (20 + i) + i;
                spend[k] = new ExactSum();
                spend[k].add(10 + 3 * i + k);
            }
            summaries.add(CustomerAnalytics.CustomerSummary.of(String.format("C%02d", i), purchaseDays, spend, 0, 0,
                    0, 0, 1, Double.NaN, List.of()));
        }
        return summaries;
    }

    /**
     * The 12-month value is the expected purchases of the next 12 months times the expected spend per purchase,
     * discounted month by month: undiscounted, the monthly increments add up to BG/NBD's expectation over the whole
     * 12 months (365.25 days); at 10% a year every month's spend is discounted by between 1.1^(1/12) and 1.1.
     */
    @Test
    void twelveMonthValueIsTwelveMonthsOfPurchasesAtTheExpectedSpend() {
        CustomerAnalyticsOptions options = CustomerAnalyticsOptions.defaults(TWENTY_END);
        CustomerAnalysis plain = CustomerAnalytics.analyse(twentyCustomers(), 0, 0, options.withDiscountRate(0),
                false, 0);
        CustomerAnalysis discounted = CustomerAnalytics.analyse(twentyCustomers(), 0, 0, options, false, 0);
        BgNbd bg = plain.bgNbd().model();
        for (int i = 0; i < 20; i++) {
            CustomerAnalysis.Row row = plain.rows().get(i);
            double year = bg.expectedTransactions(365.25, row.x(), row.tx(), row.T());
            double expected = year * row.profile().expectedSpend();
            assertEquals(expected, row.profile().expectedValue12(), 1e-9 * expected, row.customerId());
            double value = discounted.rows().get(i).profile().expectedValue12();
            assertTrue(value <= expected / Math.pow(1.1, 1 / 12.0) && value >= expected / 1.1,
                    row.customerId() + ": " + value + " against " + expected + " undiscounted");
        }
    }

    /** The holdout's accuracy figures by hand: errors 0, -2, +1 give MAE 1, RMSE sqrt(5/3); 6 predicted in all. */
    @Test
    void holdoutAccuracyIsComputedAsDefined() {
        CustomerAnalysis.Accuracy a = CustomerAnalytics.accuracy(new double[] {1, 2, 3}, new double[] {1, 4, 2});
        assertEquals(1.0, a.mae(), 1e-15);
        assertEquals(Math.sqrt(5.0 / 3), a.rmse(), 1e-15);
        assertEquals(6.0, a.predictedTotal(), 1e-15);
        // Pearson's r of (1, 2, 3) and (1, 4, 2): covariance 1/2 over sqrt(1 x 7/3).
        assertEquals(0.5 / Math.sqrt(7.0 / 3), a.correlation(), 1e-12);
        assertTrue(Double.isNaN(CustomerAnalytics.accuracy(new double[] {2}, new double[] {3}).correlation()));
        assertEquals(1.0, CustomerAnalytics.accuracy(new double[] {2}, new double[] {3}).mae(), 0);
    }

    /**
     * The gap before the latest purchase day (what makes a recent customer WON_BACK) is between the last two days, also
     * with only two; one day has none; and the repeat spend leaves the first day out.
     */
    @Test
    void summaryTakesTheGapBeforeTheLatestDay() {
        ExactSum[] spend = new ExactSum[3];
        for (int k = 0; k < 3; k++) {
            spend[k] = new ExactSum();
            spend[k].add(10 * (k + 1));
        }
        CustomerAnalytics.CustomerSummary three = CustomerAnalytics.CustomerSummary.of("C1", new long[] {100, 150, 400},
                spend, 0, 0, 0, 0, 1, Double.NaN, List.of());
        assertEquals(250, three.previousGapDays());
        assertEquals(50, three.repeatSpend(), 0);
        assertEquals(60, three.monetary(), 0);
        CustomerAnalytics.CustomerSummary two = CustomerAnalytics.CustomerSummary.of("C2", new long[] {100, 290},
                java.util.Arrays.copyOf(spend, 2), 0, 0, 0, 0, 1, Double.NaN, List.of());
        assertEquals(190, two.previousGapDays());
        CustomerAnalytics.CustomerSummary one = CustomerAnalytics.CustomerSummary.of("C3", new long[] {100},
                java.util.Arrays.copyOf(spend, 1), 0, 0, 0, 0, 1, Double.NaN, List.of());
        assertEquals(0, one.previousGapDays());
    }

    /**
     * A purchase on the calibration end day is the calibration's, one on the holdout end day the holdout's, and the
     * naive forecast's "last period as long as the holdout" (92 days here) starts the day after calEnd - 92 (2010-03-30).
     */
    @Test
    void purchasesOnTheEndDaysFallInTheirPeriods() throws Exception {
        StringBuilder extra = new StringBuilder();
        int[] invoice = {700000};
        line(extra, invoice, "10001", "RED MUG", 1, "2010-03-30 12:00:00", 10, "90009");
        line(extra, invoice, "10001", "RED MUG", 1, "2010-06-30 12:00:00", 10, "90009");
        line(extra, invoice, "10001", "RED MUG", 1, "2010-09-30 12:00:00", 10, "90009");
        line(extra, invoice, "10001", "RED MUG", 1, "2010-10-01 12:00:00", 10, "90009");
        CustomerAnalysis a = analyse(LocalDate.of(2010, 6, 30), LocalDate.of(2010, 9, 30), extra.toString());
        CustomerAnalysis.Row row = a.rows().stream().filter(r -> r.customerId().equals("90009")).findFirst()
                .orElseThrow();
        assertEquals(1, row.x());
        assertEquals(LocalDate.of(2010, 6, 30), row.lastPurchase());
        assertEquals(0, row.profile().recencyDays());
        assertEquals(1, row.holdoutActual());
        assertEquals(1.0, row.holdoutNaive(), 0);
    }

    /** The whole strategy table of {@link CustomerAnalytics#strategy}'s description, cell by cell. */
    @Test
    void everyStageAndTierHasTheDescribedStrategy() {
        for (Tier tier : Tier.values()) {
            assertEquals(Strategy.INITIATE, CustomerAnalytics.strategy(Stage.NEW, tier, 5));
            assertEquals(Strategy.WIN_BACK, CustomerAnalytics.strategy(Stage.LAPSED, tier, 4));
            assertEquals(Strategy.END, CustomerAnalytics.strategy(Stage.LAPSED, tier, 3));
            for (Stage stage : new Stage[] {Stage.ACTIVE, Stage.WON_BACK}) {
                Strategy expected = switch (tier) {
                    case PLATINUM -> Strategy.PROTECT;
                    case GOLD, IRON -> Strategy.ENHANCE;
                    case LEAD -> Strategy.RE_ENGINEER;
                };
                assertEquals(expected, CustomerAnalytics.strategy(stage, tier, 1), stage + " " + tier);
            }
        }
        assertEquals(Strategy.PROTECT, CustomerAnalytics.strategy(Stage.AT_RISK, Tier.PLATINUM, 1));
        assertEquals(Strategy.PROTECT, CustomerAnalytics.strategy(Stage.AT_RISK, Tier.GOLD, 1));
        assertEquals(Strategy.RE_ENGINEER, CustomerAnalytics.strategy(Stage.AT_RISK, Tier.IRON, 1));
        assertEquals(Strategy.HARVEST, CustomerAnalytics.strategy(Stage.AT_RISK, Tier.LEAD, 5));
    }

    /** README, price_sensitivity: high when price_index &lt; 0.9 or the share &gt; 0.6; low at &gt;= 1 and under 0.3. */
    @Test
    void priceSensitivityThresholdsAreTheReadmes() {
        assertEquals(CustomerProfile.PriceSensitivity.MEDIUM, CustomerAnalytics.sensitivity(0.9, Double.NaN));
        assertEquals(CustomerProfile.PriceSensitivity.HIGH, CustomerAnalytics.sensitivity(Math.nextDown(0.9), 0.0));
        assertEquals(CustomerProfile.PriceSensitivity.MEDIUM, CustomerAnalytics.sensitivity(0.95, 0.6));
        assertEquals(CustomerProfile.PriceSensitivity.HIGH, CustomerAnalytics.sensitivity(1.2, Math.nextUp(0.6)));
        assertEquals(CustomerProfile.PriceSensitivity.LOW, CustomerAnalytics.sensitivity(1.0, Double.NaN));
        assertEquals(CustomerProfile.PriceSensitivity.MEDIUM, CustomerAnalytics.sensitivity(Math.nextDown(1.0), 0.0));
        assertEquals(CustomerProfile.PriceSensitivity.MEDIUM, CustomerAnalytics.sensitivity(1.0, 0.3));
        assertEquals(CustomerProfile.PriceSensitivity.LOW, CustomerAnalytics.sensitivity(1.0, Math.nextDown(0.3)));
    }

    @Test
    void moneyIsSummedAsTheTillSumsIt() throws Exception {
        // Two days of three lines at 9.95: the till says 29.85 a day and 59.70 in all. Summed from the doubles'
        // binary values the days came to 29.849999999999998 and the total, added as doubles, to
        // 59.699999999999996, printed so in profiles.csv, the profile API and the campaign export.
        StringBuilder extra = new StringBuilder();
        int[] invoice = {600000};
        for (String day : List.of("2010-02-01", "2010-05-01")) {
            for (int k = 0; k < 3; k++) {
                line(extra, invoice, "10004", "TEA TOWEL", 1, day + " 10:00:00", 9.95, "90005");
            }
        }
        line(extra, invoice, "10004", "TEA TOWEL", 3, "2010-03-01 10:00:00", 9.95, "90006");
        line(extra, invoice, "10004", "TEA TOWEL", 3, "2010-04-01 10:00:00", 9.95, "90006");
        CustomerAnalysis a = analyse(LocalDate.of(2010, 6, 30), null, extra.toString());
        Map<String, CustomerAnalysis.Row> rows = a.rows().stream()
                .collect(Collectors.toMap(CustomerAnalysis.Row::customerId, Function.identity()));
        for (String customer : List.of("90005", "90006")) {
            CustomerAnalysis.Row r = rows.get(customer);
            assertEquals(59.7, r.profile().monetary(), customer);
            assertEquals("59.7", Double.toString(r.profile().monetary()), customer);
            assertEquals(29.85, r.meanRepeatSpend(), customer);
        }
    }

    private CustomerAnalysis analyse(LocalDate calEnd, LocalDate holdEnd) throws Exception {
        return analyse(calEnd, holdEnd, "");
    }

    private CustomerAnalysis analyse(LocalDate calEnd, LocalDate holdEnd, String extraLines) throws Exception {
        Path file = write(extraLines);
        Transactions tx = TransactionLoader.load(List.of(file), IngestOptions.defaults()).transactions();
        CustomerAnalyticsOptions o = CustomerAnalyticsOptions.defaults(calEnd);
        return CustomerAnalytics.run(tx, holdEnd == null ? o : o.withHoldoutEnd(holdEnd));
    }

    private Path write(String extraLines) throws Exception {
        StringBuilder csv = new StringBuilder(HEADER).append('\n').append(extraLines);
        int[] invoice = {500000};
        // Hand-made customers.
        line(csv, invoice, "10001", "RED MUG", 2, "2010-01-10 09:00:00", 10, "90001");
        line(csv, invoice, "10001", "RED MUG", 1, "2010-01-10 15:00:00", 10, "90001");
        line(csv, invoice, "10001", "RED MUG", 4, "2010-03-01 10:00:00", 10, "90001");
        line(csv, invoice, "10001", "RED MUG", 6, "2010-06-20 10:00:00", 10, "90001");
        line(csv, invoice, "10001", "RED MUG", 1, "2010-07-15 10:00:00", 10, "90001");
        line(csv, invoice, "10002", "BLUE MUG", 1, "2010-06-25 10:00:00", 5, "90002");
        line(csv, invoice, "10003", "LANTERN", 1, "2009-12-20 10:00:00", 20, "90003");
        line(csv, invoice, "10003", "LANTERN", 1, "2010-08-05 10:00:00", 20, "90004");
        // 200 seeded random customers so that the models have something to fit.
        Random rnd = new Random(5);
        for (int c = 0; c < 200; c++) {
            int trips = 2 + rnd.nextInt(8);
            for (int t = 0; t < trips; t++) {
                // Calibration days only (up to 2010-06-29), then some come back in the holdout.
                LocalDate day = LocalDate.of(2010, 1, 1).plusDays(t == trips - 1 && rnd.nextBoolean()
                        ? 181 + rnd.nextInt(90) : rnd.nextInt(180));
                String item = rnd.nextBoolean() ? "10001" : "10002";
                line(csv, invoice, item, item.equals("10001") ? "RED MUG" : "BLUE MUG", 1 + rnd.nextInt(12),
                        day + " 12:00:00", item.equals("10001") ? 10 : 5, Integer.toString(91000 + c));
            }
        }
        Path file = dir.resolve("tx.csv");
        Files.writeString(file, csv);
        return file;
    }

    private static void line(StringBuilder csv, int[] invoice, String code, String description, int qty, String time,
                             double price, String customer) {
        csv.append(invoice[0]++).append(',').append(code).append(',').append(description).append(',').append(qty)
                .append(',').append(time).append(',').append(price).append(',').append(customer)
                .append(",United Kingdom\n");
    }
}
