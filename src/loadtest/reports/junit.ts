import junitReportBuilder, { type Builder } from 'junit-report-builder';
import type { LoadTestReport } from './report.js';

// The package's module.exports is the builder itself; its types describe an ES default export.
/** JUnit XML for CI: one test case per SLO, failed when it broke, in error when it could not be judged. */
export function junitXml(report: LoadTestReport): string {
  const junit = (junitReportBuilder as unknown as Builder).newBuilder();
  const suite = junit.testSuite().name(`load gate: ${report.profile}`).time(report.duration_s).property('target', report.target).property('verdict', report.verdict);
  for (const slo of report.slos) {
    const test = suite.testCase().className(slo.service).name(`${slo.slo}: ${slo.k6.key} ${slo.k6.expression}`).time(report.duration_s);
    const reason = report.reasons.find((line) => line.includes(`${slo.service} ${slo.slo}`));
    if (slo.verdict === 'broken') test.failure(reason ?? `${slo.service} ${slo.slo} broke`, 'slo_broken');
    else if (slo.verdict === 'not judged') test.error(reason ?? `${slo.service} ${slo.slo} could not be judged`, 'not_judged');
  }
  // A run that could not be judged as a whole (failures dominating, load not offered) says so apart.
  const general = report.reasons.filter((line) => !report.slos.some((slo) => line.includes(`${slo.service} ${slo.slo}`)));
  if (general.length > 0) suite.testCase().className('load-gate').name('the run can be judged').error(general.join('\n'), 'not_judged');
  return junit.build();
}
