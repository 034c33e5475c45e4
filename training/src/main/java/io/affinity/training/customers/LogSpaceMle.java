package io.affinity.training.customers;

import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.exception.TooManyIterationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * Maximum likelihood over strictly positive parameters: Nelder-Mead (commons-math3) on their logarithms, so
 * the search is unconstrained and scale-free. Nelder-Mead can stall on a flat ridge, so the search restarts
 * from its own optimum until the log-likelihood stops improving (the usual remedy).
 */
final class LogSpaceMle {
    private static final int MAX_EVALUATIONS = 20_000;
    /** Parameters are kept within exp(+-MAX_LOG). */
    static final double MAX_LOG = 30;

    private LogSpaceMle() {
    }

    /** Result: the parameters (natural scale), the maximised log-likelihood and the evaluations used. */
    record Fit(double[] parameters, double logLikelihood, int evaluations) {
    }

    /**
     * @throws ModelFitException when the search does not converge within its evaluation budget (the likelihood
     *                           keeps improving towards a boundary, typically on data too thin for the model)
     */
    static Fit maximise(String model, ToDoubleFunction<double[]> logLikelihood, double[] start) {
        double[] point = new double[start.length];
        for (int i = 0; i < start.length; i++) {
            if (!(start[i] > 0)) {
                throw new IllegalArgumentException("start values must be > 0");
            }
            point[i] = Math.log(start[i]);
        }
        ObjectiveFunction objective = new ObjectiveFunction(logs -> {
            double ll = logLikelihood.applyAsDouble(natural(logs));
            return Double.isNaN(ll) ? Double.NEGATIVE_INFINITY : ll;
        });
        SimplexOptimizer optimizer = new SimplexOptimizer(1e-12, 1e-10);
        double best = Double.NEGATIVE_INFINITY;
        int evaluations = 0;
        for (int round = 0; round < 8; round++) {
            PointValuePair p;
            try {
                p = optimizer.optimize(new MaxEval(MAX_EVALUATIONS), new MaxIter(MAX_EVALUATIONS), objective,
                        GoalType.MAXIMIZE, new InitialGuess(point), new NelderMeadSimplex(point.length, 0.5));
            } catch (TooManyEvaluationsException | TooManyIterationsException e) {
                throw new ModelFitException(model + " fit did not converge within " + MAX_EVALUATIONS
                        + " likelihood evaluations: the likelihood keeps rising towards the edge of the parameter "
                        + "space, so the data cannot determine the model", e);
            }
            evaluations += optimizer.getEvaluations();
            boolean improved = p.getValue() > best + 1e-9 * Math.max(1, Math.abs(best));
            point = p.getPoint();
            best = Math.max(best, p.getValue());
            if (!improved && round > 0) {
                break;
            }
        }
        if (Double.isInfinite(best)) {
            throw new ModelFitException(model + " fit failed: the likelihood is zero everywhere the search went; "
                    + "is the data degenerate?", null);
        }
        return new Fit(natural(point), best, evaluations);
    }

    /**
     * The parameters a point in log space stands for. exp(+-30) is far outside any plausible parameter; clamping
     * keeps the simplex out of overflow, and the likelihood is flat beyond it, so the simplex may end up further
     * out: the fit reports the clamped values, whose likelihood it maximised (exp of the raw point gave a = 1e29).
     */
    private static double[] natural(double[] logs) {
        double[] natural = new double[logs.length];
        for (int i = 0; i < logs.length; i++) {
            natural[i] = Math.exp(Math.max(-MAX_LOG, Math.min(MAX_LOG, logs[i])));
        }
        return natural;
    }
}
