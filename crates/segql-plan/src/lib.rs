//! segql-plan
