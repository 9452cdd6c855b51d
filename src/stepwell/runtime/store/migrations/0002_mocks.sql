-- Mocked test cases (Step Functions Local's MockConfigFile): an execution started on
-- "<stateMachineArn>#<TestCase>" keeps its test case, and each task row its state's name, so that
-- a state's invocations are counted (retries, loops and Map iterations consume numbers) across
-- restarts.
ALTER TABLE executions ADD COLUMN test_case TEXT;
ALTER TABLE tasks ADD COLUMN state_name TEXT;
CREATE INDEX tasks_by_state ON tasks (execution_arn, state_name);
