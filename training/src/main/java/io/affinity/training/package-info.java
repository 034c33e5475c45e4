package io.affinity.training;
